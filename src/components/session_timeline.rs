//! The session timeline: the last minutes of the session layer as lanes of
//! marks, each readable in words on hover or focus, and downloadable as
//! JSON for a bug report.

use std::time::Duration;

use leptos::{ev, prelude::*};
use wasm_bindgen::JsCast;

use crate::{
    i18n::{Msg, use_i18n},
    stores::{SessionLog, use_auth},
    timeline::{
        EventLog,
        geometry::{self, Mark, Window},
        markup::{self, mark_id},
    },
};

/// The time spans offered, in minutes; the second is the default.
const SPANS: [u32; 3] = [1, 10, 60];

/// How often the picture moves on (and takes in new events).
const REDRAW: Duration = Duration::from_secs(1);

/// The file a download is saved as.
const DOWNLOAD_NAME: &str = "session-events.json";

/// The local time zone's lead on UTC, in ms.
fn utc_offset_ms() -> f64 {
    -js_sys::Date::new_0().get_timezone_offset() * 60_000.0
}

/// The axis's step for a span of `minutes`.
fn tick_step_ms(minutes: u32) -> f64 {
    match minutes {
        0..=2 => 10_000.0,
        3..=20 => 60_000.0,
        _ => 600_000.0,
    }
}

/// What the picture shows and which mark is being read.
#[derive(Clone, Copy)]
struct Picture {
    timeline: SessionLog,
    minutes: RwSignal<u32>,
    /// The window shown and its marks.
    drawn: RwSignal<(Window, Vec<Mark>)>,
    /// The mark being read (hovered or focused): the picture holds still
    /// meanwhile, so that it does not move away under the pointer.
    reading: RwSignal<Option<String>>,
    /// The one mark the Tab key reaches (a roving tab stop): the newest
    /// at each redraw, moved by the arrow keys. Not a signal: the marks
    /// are drawn with it once and the keys move it in the page.
    tab_stop: StoredValue<Option<u64>>,
}

impl Picture {
    /// Takes in the events up to now, unless a mark is being read.
    fn redraw(&self) {
        if self.reading.get_untracked().is_some() {
            return;
        }
        let window = Window {
            end_ms: js_sys::Date::now(),
            span_ms: f64::from(self.minutes.get_untracked()) * 60_000.0,
        };
        let marks = self
            .timeline
            .with(|log| geometry::marks(log, window))
            .unwrap_or_default();
        self.tab_stop.set_value(marks.last().map(|m| m.seq));
        self.drawn.set((window, marks));
    }

    /// Shows the words of the mark `target`, if it is one, and holds the
    /// picture still meanwhile.
    fn read(&self, target: Option<web_sys::EventTarget>) {
        let words = words_of(target.and_then(|target| target.dyn_into().ok()));
        if words.is_some() {
            self.reading.set(words);
        }
    }

    /// The pointer left a mark: shows the focused mark's words, if one
    /// has the focus, else lets the picture move on.
    fn read_focused(&self) {
        self.reading.set(words_of(document().active_element()));
    }

    /// Moves the tab stop by `step` marks in time (`i64::MIN`: the first,
    /// `i64::MAX`: the last) and focuses it.
    fn move_tab_stop(&self, step: i64) {
        let Some(current) = self.tab_stop.get_value() else {
            return;
        };
        let next = self.drawn.with_untracked(|(_, marks)| {
            let at = marks.iter().position(|m| m.seq == current)?;
            let last = marks.len() as i64 - 1;
            let to = match step {
                i64::MIN => 0,
                i64::MAX => last,
                step => (at as i64).saturating_add(step).clamp(0, last),
            };
            marks.get(to as usize).map(|m| m.seq)
        });
        let Some(next) = next.filter(|next| *next != current) else {
            return;
        };
        set_tab_index(current, "-1");
        if let Some(element) = set_tab_index(next, "0") {
            let _ = element.focus();
        }
        self.tab_stop.set_value(Some(next));
    }
}

/// The words of `element`, if it is a mark.
fn words_of(element: Option<web_sys::Element>) -> Option<String> {
    element
        .filter(|element| element.get_attribute("data-testid").as_deref() == Some("timeline-mark"))
        .and_then(|mark| mark.get_attribute("aria-label"))
}

/// Sets the `tabindex` of mark `seq` in the page; returns the mark.
fn set_tab_index(seq: u64, value: &str) -> Option<web_sys::SvgElement> {
    let element = document().get_element_by_id(&mark_id(seq))?;
    element.set_attribute("tabindex", value).ok()?;
    element.dyn_into().ok()
}

/// The session timeline (`data-testid="session-timeline"`).
#[component]
pub fn SessionTimeline() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let picture = Picture {
        timeline: auth.access.session_log(),
        minutes: RwSignal::new(SPANS[1]),
        drawn: RwSignal::new((
            Window {
                end_ms: 0.0,
                span_ms: 1.0,
            },
            Vec::new(),
        )),
        reading: RwSignal::new(None),
        tab_stop: StoredValue::new(None),
    };
    picture.redraw();
    if let Ok(handle) = set_interval_with_handle(move || picture.redraw(), REDRAW) {
        on_cleanup(move || handle.clear());
    }
    let offset = utc_offset_ms();
    let on_key = move |event: ev::KeyboardEvent| {
        let step = match event.key().as_str() {
            "ArrowRight" | "ArrowDown" => 1,
            "ArrowLeft" | "ArrowUp" => -1,
            "Home" => i64::MIN,
            "End" => i64::MAX,
            _ => return,
        };
        event.prevent_default();
        picture.move_tab_stop(step);
    };
    let summary = move || {
        let count = |kind: &str| {
            picture
                .drawn
                .with(|(_, m)| m.iter().filter(|m| m.kind() == kind).count())
        };
        format!(
            "{} {}{} · {}: {} · 401: {} · 403: {}",
            i18n.t(Msg::TimelineShowing),
            picture.minutes.get(),
            i18n.t(Msg::TimelineMinutes),
            i18n.t(Msg::LaneRefreshes),
            count("refresh"),
            count("unauthorized"),
            count("forbidden"),
        )
    };
    view! {
        <section
            class="timeline"
            id="session-timeline"
            data-testid="session-timeline"
            data-minutes=move || picture.minutes.get()
            aria-labelledby="timeline-title"
        >
            <div class="timeline-head">
                <h2 id="timeline-title">{move || i18n.t(Msg::TimelineTitle)}</h2>
                <div class="zoom" role="group" aria-label=move || i18n.t(Msg::TimelineZoom)>
                    {SPANS
                        .into_iter()
                        .map(|minutes| view! {
                            <button
                                type="button"
                                data-testid=format!("timeline-zoom-{minutes}")
                                aria-pressed=move || (picture.minutes.get() == minutes).to_string()
                                on:click=move |_| {
                                    picture.minutes.set(minutes);
                                    picture.reading.set(None);
                                    picture.redraw();
                                }
                            >
                                {minutes}
                                {move || i18n.t(Msg::TimelineMinutes)}
                            </button>
                        })
                        .collect_view()}
                </div>
                <DownloadLink timeline=picture.timeline/>
            </div>
            <p class="muted">{move || i18n.t(Msg::TimelineHelp)}</p>
            <div
                class="timeline-grid"
                on:keydown=on_key
                on:focusin=move |event| picture.read(event.target())
                on:mouseover=move |event| picture.read(event.target())
                on:focusout=move |_| picture.reading.set(None)
                on:mouseout=move |_| picture.read_focused()
                inner_html=move || {
                    let locale = i18n.locale();
                    let step = tick_step_ms(picture.minutes.get());
                    let stop = picture.tab_stop.get_value();
                    picture.drawn.with(|(window, marks)| {
                        markup::picture(marks, *window, step, locale, offset, stop)
                    })
                }
            ></div>
            <p class="timeline-detail" data-testid="timeline-detail" aria-live="polite">
                {move || picture.reading.get().unwrap_or_else(summary)}
            </p>
            <ul class="legend" inner_html=move || markup::legend(i18n.locale())></ul>
        </section>
    }
}

/// A link that saves the event log as JSON; the file is made when clicked.
#[component]
fn DownloadLink(timeline: SessionLog) -> impl IntoView {
    let i18n = use_i18n();
    let fill_in = move |event: ev::MouseEvent| {
        let json = timeline.with(EventLog::to_json).unwrap_or_default();
        let href = format!(
            "data:application/json;charset=utf-8,{}",
            String::from(js_sys::encode_uri_component(&json))
        );
        let link = event
            .current_target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok());
        if let Some(link) = link {
            // The browser follows the link after this handler: with the file.
            let _ = link.set_attribute("href", &href);
        }
    };
    view! {
        <a class="button" data-testid="timeline-download" href="#" download=DOWNLOAD_NAME on:click=fill_in>
            {move || i18n.t(Msg::TimelineDownload)}
        </a>
    }
}
