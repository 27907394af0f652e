//! The session record that every tab reads alike.
//!
//! `localStorage` cannot hand a refresh over from one tab to the next:
//! Chromium caches it in each renderer and delivers other tabs' writes
//! asynchronously, so a tab granted the refresh Web Lock right after another
//! tab released it may still read the refresh token that tab has just spent.
//! (Measured: two tabs adding one to a `localStorage` counter under a Web
//! Lock, 500 times each, ended at 873, not 1 000. The same test on an
//! IndexedDB record ended at 1 000.) IndexedDB transactions are ordered in
//! one place for all tabs, so the record of truth is one IndexedDB entry,
//! read and changed in a single transaction. `localStorage` keeps a mirror,
//! written after every change: it is what start-up reads synchronously, and
//! its `storage` event tells the other tabs to look at the record again.
//!
//! Where IndexedDB cannot be used (some private modes), `localStorage`
//! stands in, with the weaker guarantee.

use std::{cell::RefCell, rc::Rc};

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::{
    Session,
    access::{store_session, stored_session},
};

const DATABASE: &str = "silent-refresh";
const STORE: &str = "session";
const RECORD: &str = "current";

/// What [`update`] does with the record it read.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Leave it as it is.
    Keep,
    /// Replace it: with a session, or with "logged out".
    Replace(Option<Session>),
}

impl Change {
    /// The session after this change of `current`, and whether it was replaced.
    fn apply(self, current: Option<Session>) -> (Option<Session>, bool) {
        match self {
            Change::Keep => (current, false),
            Change::Replace(next) => (next, true),
        }
    }
}

/// A decision on the record, as [`update`] keeps it.
type Decide = Rc<dyn Fn(&Option<Session>) -> Change>;

/// The session as every tab sees it now.
pub async fn current() -> Option<Session> {
    update(|_| Change::Keep).await
}

/// Replaces the session for every tab (a login or a logout).
pub async fn replace(session: Option<Session>) {
    update(move |_| Change::Replace(session.clone())).await;
}

/// Reads the session and lets `decide` change it, in one transaction that
/// no other tab's can interleave with, then mirrors a replacement to
/// `localStorage` (a mere read writes nothing: it could put back a value
/// another tab has replaced meanwhile). Returns the session as it is
/// afterwards.
pub async fn update(decide: impl Fn(&Option<Session>) -> Change + 'static) -> Option<Session> {
    let decide: Decide = Rc::new(decide);
    let outcome = match database().await {
        Ok(database) => update_record(&database, Rc::clone(&decide)).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok((after, replaced)) => {
            if replaced {
                store_session(after.as_ref());
            }
            after
        }
        Err(error) => {
            leptos::logging::warn!("the shared session record is unavailable: {error:?}");
            // A connection closed under us (site data cleared) is opened
            // again next time.
            OPEN_DATABASE.with_borrow_mut(|open| *open = None);
            update_mirror(decide.as_ref())
        }
    }
}

/// [`update`] on `localStorage` alone.
fn update_mirror(decide: &dyn Fn(&Option<Session>) -> Change) -> Option<Session> {
    let current = stored_session();
    let (after, replaced) = decide(&current).apply(current);
    if replaced {
        store_session(after.as_ref());
    }
    after
}

/// The record as stored: `None` when there is none yet (or it cannot be
/// read), else the session or "logged out".
fn parse_record(value: &JsValue) -> Option<Option<Session>> {
    let text = value.as_string()?;
    match serde_json::from_str::<Option<Session>>(&text) {
        Ok(record) => Some(record.filter(Session::is_usable)),
        Err(error) => {
            leptos::logging::warn!("ignoring an unreadable shared session record: {error}");
            None
        }
    }
}

/// One read-and-maybe-write transaction on the record. The decision is made
/// in the read's success handler, while the transaction is still active, so
/// nothing can come between the read and the write. A record that was never
/// written (a browser that had this app before the record existed) reads as
/// the `localStorage` mirror. Returns the session afterwards and whether it
/// was replaced.
async fn update_record(
    database: &IdbDatabase,
    decide: Decide,
) -> Result<(Option<Session>, bool), JsValue> {
    let transaction =
        database.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
    let store = transaction.object_store(STORE)?;
    let read = store.get(&RECORD.into())?;
    let after = Rc::new(RefCell::new(None));
    let on_read = {
        let (read, after) = (read.clone(), Rc::clone(&after));
        Closure::once(move |_: JsValue| -> Result<(), JsValue> {
            let current = parse_record(&read.result()?).unwrap_or_else(stored_session);
            let (next, replaced) = decide(&current).apply(current);
            if replaced {
                let json =
                    serde_json::to_string(&next).map_err(|e| JsValue::from_str(&e.to_string()))?;
                store.put_with_key(&json.into(), &RECORD.into())?;
            }
            *after.borrow_mut() = Some((next, replaced));
            Ok(())
        })
    };
    read.set_onsuccess(Some(on_read.as_ref().unchecked_ref()));
    settled(&transaction).await?;
    let after = after.borrow_mut().take();
    after.ok_or_else(|| "the record was never read".into())
}

/// Waits until `transaction` has committed; fails if it was aborted.
async fn settled(transaction: &IdbTransaction) -> Result<(), JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onerror(Some(&reject));
        transaction.set_onabort(Some(&reject));
    });
    JsFuture::from(promise).await.map(drop)
}

/// Waits for `request`'s success; fails on its error.
async fn succeeded(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await?;
    request.result()
}

thread_local! {
    static OPEN_DATABASE: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// The database, opened (and created on first use) once per page.
async fn database() -> Result<IdbDatabase, JsValue> {
    if let Some(database) = OPEN_DATABASE.with_borrow(Clone::clone) {
        return Ok(database);
    }
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()?
        .ok_or("no IndexedDB")?;
    let request = factory.open_with_u32(DATABASE, 1)?;
    let on_upgrade = {
        let request = request.clone();
        Closure::once(move |_: JsValue| -> Result<(), JsValue> {
            let database: IdbDatabase = request.result()?.dyn_into()?;
            database.create_object_store(STORE)?;
            Ok(())
        })
    };
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let database: IdbDatabase = succeeded(&request).await?.dyn_into()?;
    OPEN_DATABASE.with_borrow_mut(|open| *open = Some(database.clone()));
    Ok(database)
}
