//! Start-up: reading the navigation type from the real Performance API.

use std::{cell::RefCell, rc::Rc};

use silent_refresh_leptos::{NavigationKind, navigation_kind};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn the_test_page_was_opened_by_a_plain_navigation() {
    assert_eq!(navigation_kind(), Some(NavigationKind::Navigate));
}

#[wasm_bindgen(inline_js = r#"
export function withEntriesByType(replacement, check) {
  const original = Object.getOwnPropertyDescriptor(Performance.prototype, "getEntriesByType");
  Object.defineProperty(Performance.prototype, "getEntriesByType",
    { value: replacement, configurable: true, writable: true });
  try { return check(); } finally {
    Object.defineProperty(Performance.prototype, "getEntriesByType", original);
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = withEntriesByType)]
    fn with_entries_by_type(replacement: &JsValue, check: &js_sys::Function) -> JsValue;
}

/// `navigation_kind()` with `performance.getEntriesByType` replaced.
fn navigation_kind_with(replacement: JsValue) -> Option<NavigationKind> {
    let seen = Rc::new(RefCell::new(None));
    let check = {
        let seen = Rc::clone(&seen);
        Closure::<dyn FnMut()>::new(move || *seen.borrow_mut() = Some(navigation_kind()))
    };
    with_entries_by_type(&replacement, check.as_ref().unchecked_ref());
    seen.take().expect("the check ran")
}

#[wasm_bindgen_test]
fn a_browser_without_a_navigation_entry_or_the_api_starts_normally() {
    let no_entries = js_sys::Function::new_no_args("return []");
    assert_eq!(navigation_kind_with(no_entries.into()), None);
    assert_eq!(navigation_kind_with(JsValue::UNDEFINED), None);
}
