//! Views drawn again and again keep nothing of their earlier drawings.

use js_sys::{ArrayBuffer, WebAssembly};
use leptos::prelude::*;
use silent_refresh::{components::Load, i18n::I18n};
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

/// Draws a loading card's contents again `times` times.
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
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let _mounted = leptos::mount::mount_to(host, move || {
        move || {
            redraws.track();
            Load::<()>::Loading.view(Callback::new(|()| {}), |()| ().into_any())
        }
    });
    // The allocator's and the reactive graph's own first growth.
    redraw(redraws, 2_000).await;
    let before = memory_bytes();
    redraw(redraws, 20_000).await;
    let grown = memory_bytes() - before;
    // With the leak: about 90 bytes a drawing, 1.8 MB here.
    assert!(
        grown < 256 * 1024,
        "the memory grew by {grown} bytes over 20 000 drawings"
    );
}
