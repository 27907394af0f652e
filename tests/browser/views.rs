//! Views drawn again and again keep nothing of their earlier drawings.

use js_sys::{ArrayBuffer, WebAssembly};
use leptos::prelude::*;
use silent_refresh::{
    components::{Load, mark_view},
    i18n::{I18n, Locale},
    timeline::{
        Event, RefreshOutcome, Tab, Trigger,
        layout::{Lane, Mark},
    },
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

/// The wasm instance's linear memory, in bytes (it only ever grows).
fn memory_bytes() -> u32 {
    wasm_bindgen::memory()
        .unchecked_into::<WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<ArrayBuffer>()
        .byte_length()
}

/// Draws what `draw` returns in a new element of the page, again whenever
/// `redraws` changes.
fn mount_redrawn<V: IntoView + 'static>(
    redraws: RwSignal<u32>,
    draw: impl Fn() -> V + Send + Sync + 'static,
) -> impl Sized {
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host, move || {
        move || {
            redraws.track();
            draw()
        }
    })
}

/// Redraws `times` times, then again 20 000 times; returns how much the
/// memory grew over the latter.
async fn growth_over_redraws(redraws: RwSignal<u32>) -> u32 {
    // The allocator's and the reactive graph's own first growth.
    redraw(redraws, 2_000).await;
    let before = memory_bytes();
    redraw(redraws, 20_000).await;
    memory_bytes() - before
}

/// Redraws `times` times.
async fn redraw(redraws: RwSignal<u32>, times: u32) {
    for _ in 0..times {
        redraws.update(|n| *n += 1);
        any_spawner::Executor::tick().await;
    }
}

/// Regression: each drawing's "Loading…" text was a reactive view of its
/// own, which stayed subscribed to the language signal after the next
/// drawing dropped it: the dashboard leaked a dozen of them a reload.
#[wasm_bindgen_test]
async fn a_card_drawn_again_and_again_does_not_grow_the_memory() {
    let _owner = crate::fresh_page().await;
    provide_context(I18n::from_browser());
    let redraws = RwSignal::new(0_u32);
    let _mounted = mount_redrawn(redraws, || {
        Load::<()>::Loading.view(Callback::new(|()| {}), |()| ().into_any())
    });
    let grown = growth_over_redraws(redraws).await;
    // With the leak: about 90 bytes a drawing, 1.8 MB here.
    assert!(
        grown < 256 * 1024,
        "the memory grew by {grown} bytes over 20 000 drawings"
    );
}

/// The timeline draws its marks anew every second, each with its words and
/// four event handlers: a redraw keeps nothing of the one before.
#[wasm_bindgen_test]
async fn a_timeline_mark_drawn_again_and_again_does_not_grow_the_memory() {
    let _owner = crate::fresh_page().await;
    let reading = RwSignal::new(None);
    let mark = Mark {
        seq: 7,
        lane: Lane::Refreshes,
        start_ms: 1_000.0,
        end_ms: 1_042.0,
        x: 500.0,
        width: 4.0,
        level: 1.0,
        row: 0,
        event: Event::Refresh {
            trigger: Some(Trigger::Unauthorized),
            tab: Tab::This,
            duration_ms: 42.0,
            outcome: RefreshOutcome::Refreshed,
        },
        in_flight: false,
    };
    let redraws = RwSignal::new(0_u32);
    let _mounted = mount_redrawn(redraws, move || {
        view! { <svg>{mark_view(&mark, Locale::En, 0.0, true, reading)}</svg> }
    });
    let grown = growth_over_redraws(redraws).await;
    assert!(
        grown < 256 * 1024,
        "the memory grew by {grown} bytes over 20 000 drawings"
    );
}
