//! The timeline's picture as markup: the axis, each lane's title and its
//! marks (one SVG `<rect>` each), and the legend.
//!
//! Made as strings for `innerHTML` rather than with `view!`: the view
//! macro's code for these redrawn lists cost the bundle some 10 KB gzip
//! (see the closing figures in the README), and nothing redrawn may be
//! reactive anyway (it would stay subscribed after the redraw dropped it).
//! The page reads the marks through handlers on their container.

use std::fmt::Write;

use super::geometry::{self, Lane, Mark, Window, describe};
use crate::{
    format::fixed,
    i18n::{Locale, Msg},
};

/// What each colour stands for: the class of its swatch and its words.
const LEGEND: [(&str, Msg, Option<Msg>); 13] = [
    ("token this", Msg::EvToken, Some(Msg::TabThis)),
    ("token other", Msg::EvToken, Some(Msg::TabOther)),
    (
        "refresh proactive",
        Msg::EvRefresh,
        Some(Msg::TrigProactive),
    ),
    (
        "refresh reactive",
        Msg::EvRefresh,
        Some(Msg::TrigUnauthorized),
    ),
    ("refresh other", Msg::EvRefresh, Some(Msg::TabOther)),
    ("refresh failed", Msg::EvRefresh, Some(Msg::OutFailed)),
    ("unauthorized", Msg::Ev401, None),
    ("forbidden", Msg::Ev403, None),
    ("offline", Msg::EvOffline, None),
    ("backoff", Msg::EvBackoff, None),
    ("roles", Msg::EvRoles, None),
    ("login", Msg::EvLogin, None),
    ("logout", Msg::EvLogout, None),
];

/// The `id` of mark `seq` in the page.
pub fn mark_id(seq: u64) -> String {
    format!("timeline-mark-{seq}")
}

/// Where a mark sits in its lane's 24 units of height: `(y, height)`.
fn vertical(mark: &Mark) -> (f64, f64) {
    match (mark.lane, mark.kind()) {
        (Lane::Tokens, _) => (2.0 + 11.0 * f64::from(mark.row), 9.0),
        (Lane::Waiting, _) => {
            let height = (22.0 * mark.level).max(2.0);
            (23.0 - height, height)
        }
        (_, "backoff" | "roles") => (6.0, 12.0),
        _ => (2.0, 20.0),
    }
}

/// `text` with the characters that mean something in markup escaped.
/// Kept here: `html-escape` is only in the build as a dependency of Leptos's
/// macros, and these five replacements do not warrant it in the bundle.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The picture of `marks` in `window`: an axis with a tick every `step_ms`
/// of local time, then each lane's title and its marks, reading in
/// `locale` with times `offset` ms ahead of UTC. Only mark `tab_stop` is
/// reached with the Tab key; each mark is an image named by its words,
/// with `data-kind` and `data-variant` saying what it is.
pub fn picture(
    marks: &[Mark],
    window: Window,
    step_ms: f64,
    locale: Locale,
    offset: f64,
    tab_stop: Option<u64>,
) -> String {
    // Writing to a String cannot fail.
    let mut html = String::from(r#"<span></span><svg class="axis" aria-hidden="true">"#);
    for (x, label) in geometry::ticks(window, step_ms, offset) {
        // A percentage of the axis's own width: the labels keep their shape.
        let _ = write!(
            html,
            r#"<text x="{}%" y="13" text-anchor="middle">{label}</text>"#,
            fixed(x / 10.0, 2)
        );
    }
    html.push_str("</svg>");
    for lane in Lane::ALL {
        let _ = write!(
            html,
            r#"<span class="lane-title">{}</span><svg class="lane" viewBox="0 0 1000 24" preserveAspectRatio="none">"#,
            escape(lane.title().text(locale))
        );
        for mark in marks.iter().filter(|m| m.lane == lane) {
            let (y, height) = vertical(mark);
            let (kind, variant) = (mark.kind(), mark.variant());
            let _ = write!(
                html,
                r#"<rect id="{}" class="mark {kind} {variant}" data-testid="timeline-mark" data-kind="{kind}" data-variant="{variant}" x="{}" y="{}" width="{}" height="{}" role="img" tabindex="{}" aria-label="{}"></rect>"#,
                mark_id(mark.seq),
                fixed(mark.x, 2),
                fixed(y, 2),
                fixed(mark.width, 2),
                fixed(height, 2),
                if Some(mark.seq) == tab_stop { 0 } else { -1 },
                escape(&describe(mark, locale, offset)),
            );
        }
        html.push_str("</svg>");
    }
    html
}

/// The legend's items in `locale`.
pub fn legend(locale: Locale) -> String {
    let mut html = String::new();
    for (class, what, which) in LEGEND {
        let words = match which {
            Some(which) => format!("{} · {}", what.text(locale), which.text(locale)),
            None => what.text(locale).to_owned(),
        };
        let _ = write!(
            html,
            r#"<li><span class="swatch {class}" aria-hidden="true"></span>{}</li>"#,
            escape(&words)
        );
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{Event, EventLog, RefreshOutcome, Tab, Trigger};

    #[test]
    fn each_lane_draws_its_own_marks_with_one_tab_stop_for_all() {
        let mut log = EventLog::default();
        for at_ms in [0.0, 12_300.0] {
            log.push(
                at_ms,
                Event::Refresh {
                    trigger: Some(Trigger::Unauthorized),
                    tab: Tab::This,
                    duration_ms: 42.0,
                    outcome: RefreshOutcome::Refreshed,
                },
            );
        }
        let window = Window {
            end_ms: 60_000.0,
            span_ms: 60_000.0,
        };
        let marks = geometry::marks(&log, window);
        let html = picture(&marks, window, 20_000.0, Locale::En, 0.0, Some(2));
        assert_eq!(html.matches("<rect ").count(), 2);
        assert_eq!(
            html.matches(r#"<svg class="lane""#).count(),
            Lane::ALL.len()
        );
        let refreshes = html.find(">Refreshes</span>").unwrap();
        let answers = html.find(">401 / 403</span>").unwrap();
        let first = html
            .find(r#"id="timeline-mark-1" class="mark refresh reactive""#)
            .unwrap();
        assert!(
            refreshes < first && first < answers,
            "in the refreshes' lane"
        );
        assert!(html.contains(
            r#"x="205.00" y="2.00" width="4.00" height="20.00" role="img" tabindex="0""#
        ));
        assert!(html.contains(r#"tabindex="-1" aria-label="Refresh · after a 401 · this tab · 00:00:00 · 42 ms · new tokens""#));
        assert!(html.contains(r#"<text x="33.33%" y="13" text-anchor="middle">00:00:20</text>"#));
    }

    #[test]
    fn the_legend_names_every_colour_in_the_language() {
        let zh = legend(Locale::ZhCn);
        assert_eq!(zh.matches("<li>").count(), LEGEND.len());
        assert!(zh.contains(r#"<span class="swatch refresh reactive" aria-hidden="true"></span>刷新 · 因 401 触发</li>"#));
    }

    #[test]
    fn words_cannot_break_out_of_their_attribute() {
        assert_eq!(
            escape(r#"a "b" <c> & 'd'"#),
            "a &quot;b&quot; &lt;c&gt; &amp; &#39;d&#39;"
        );
    }
}
