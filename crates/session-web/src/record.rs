//! The session record that every tab reads alike, and its one owner,
//! [`SessionRecord`].
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

use gloo_events::EventListener;
use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

use crate::{Session, log::warn, storage};

/// The IndexedDB object store and the key of the record in it.
const STORE: &str = "session";
const RECORD: &str = "current";

/// What [`SessionRecord::update`] does with the record it read.
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

/// A decision on the record, as [`SessionRecord::update`] keeps it.
type Decide = Rc<dyn Fn(&Option<Session>) -> Change>;

struct Inner {
    /// The IndexedDB database's name.
    database_name: String,
    /// The `localStorage` key of the mirror.
    mirror_key: String,
    /// Opened on first use; dropped after a failure, to be opened again.
    database: RefCell<Option<IdbDatabase>>,
}

/// The persisted session shared by every tab of an origin: the one place
/// that reads and writes it. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct SessionRecord {
    inner: Rc<Inner>,
}

impl SessionRecord {
    /// The record of the app called `name`: the IndexedDB database `name`,
    /// mirrored to `localStorage` under `{name}.session`.
    pub fn new(name: &str) -> Self {
        Self {
            inner: Rc::new(Inner {
                database_name: name.to_owned(),
                mirror_key: format!("{name}.session"),
                database: RefCell::new(None),
            }),
        }
    }

    /// The `localStorage` key of the mirror.
    pub fn mirror_key(&self) -> &str {
        &self.inner.mirror_key
    }

    /// The session in the `localStorage` mirror, read synchronously (for
    /// start-up); unreadable data there is removed and means logged out.
    pub fn mirrored(&self) -> Option<Session> {
        storage::load(self.mirror_key(), Session::is_usable)
    }

    fn mirror(&self, session: Option<&Session>) {
        match session {
            Some(session) => storage::save(self.mirror_key(), session),
            None => storage::remove(self.mirror_key()),
        }
    }

    /// Calls `changed` when another tab changes the record (a refresh, a
    /// login, a logout), until the listener is dropped. The mirror's
    /// `storage` event is only the signal: read the record with
    /// [`current`](Self::current), which the mirror may trail.
    pub fn on_change(&self, changed: impl Fn() + 'static) -> Option<EventListener> {
        storage::on_change(self.mirror_key(), changed)
    }

    /// The session as every tab sees it now.
    pub async fn current(&self) -> Option<Session> {
        self.update(|_| Change::Keep).await
    }

    /// Replaces the session for every tab (a login or a logout).
    pub async fn replace(&self, session: Option<Session>) {
        self.update(move |_| Change::Replace(session.clone())).await;
    }

    /// Ends `ours` for every tab if the record still holds that login
    /// (another login that replaced it since is not ours to end). Returns
    /// the login's tokens as they were, which another tab may have
    /// refreshed since this tab last looked; `None` if it was not there.
    pub async fn end(&self, ours: &Session) -> Option<Session> {
        let ours = ours.clone();
        let ended = Rc::new(RefCell::new(None));
        let seen = Rc::clone(&ended);
        self.update(move |current| match current {
            Some(stored) if stored.is_same_login(&ours) => {
                *seen.borrow_mut() = Some(stored.clone());
                Change::Replace(None)
            }
            _ => Change::Keep,
        })
        .await;
        ended.take()
    }

    /// Reads the session and lets `decide` change it, in one transaction that
    /// no other tab's can interleave with, then mirrors a replacement to
    /// `localStorage` (a mere read writes nothing: it could put back a value
    /// another tab has replaced meanwhile). Returns the session as it is
    /// afterwards.
    pub async fn update(
        &self,
        decide: impl Fn(&Option<Session>) -> Change + 'static,
    ) -> Option<Session> {
        let decide: Decide = Rc::new(decide);
        let outcome = match self.database().await {
            Ok(database) => self.update_record(&database, Rc::clone(&decide)).await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok((after, replaced)) => {
                if replaced {
                    self.mirror(after.as_ref());
                }
                after
            }
            Err(error) => {
                warn(&format!(
                    "the shared session record is unavailable: {error:?}"
                ));
                // A connection closed under us (site data cleared) is opened
                // again next time.
                self.inner.database.replace(None);
                self.update_mirror(decide.as_ref())
            }
        }
    }

    /// [`update`](Self::update) on `localStorage` alone.
    fn update_mirror(&self, decide: &dyn Fn(&Option<Session>) -> Change) -> Option<Session> {
        let current = self.mirrored();
        let (after, replaced) = decide(&current).apply(current);
        if replaced {
            self.mirror(after.as_ref());
        }
        after
    }

    /// One read-and-maybe-write transaction on the record. The decision is
    /// made in the read's success handler, while the transaction is still
    /// active, so nothing can come between the read and the write. A record
    /// that was never written (a browser that had this app before the record
    /// existed) reads as the `localStorage` mirror. Returns the session
    /// afterwards and whether it was replaced.
    async fn update_record(
        &self,
        database: &IdbDatabase,
        decide: Decide,
    ) -> Result<(Option<Session>, bool), JsValue> {
        let transaction =
            database.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
        let store = transaction.object_store(STORE)?;
        let read = store.get(&RECORD.into())?;
        let after = Rc::new(RefCell::new(None));
        let on_read = {
            let (read, after, this) = (read.clone(), Rc::clone(&after), self.clone());
            Closure::once(move |_: JsValue| -> Result<(), JsValue> {
                let current = parse_record(&read.result()?).unwrap_or_else(|| this.mirrored());
                let (next, replaced) = decide(&current).apply(current);
                if replaced {
                    let json = serde_json::to_string(&next)
                        .map_err(|e| JsValue::from_str(&e.to_string()))?;
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

    /// The database, opened (and created on first use) once per record.
    async fn database(&self) -> Result<IdbDatabase, JsValue> {
        if let Some(database) = self.inner.database.borrow().clone() {
            return Ok(database);
        }
        let factory = web_sys::window()
            .ok_or("no window")?
            .indexed_db()?
            .ok_or("no IndexedDB")?;
        let request = factory.open_with_u32(&self.inner.database_name, 1)?;
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
        self.inner.database.replace(Some(database.clone()));
        Ok(database)
    }
}

/// The record as stored: `None` when there is none yet (or it cannot be
/// read), else the session or "logged out".
fn parse_record(value: &JsValue) -> Option<Option<Session>> {
    let text = value.as_string()?;
    match serde_json::from_str::<Option<Session>>(&text) {
        Ok(record) => Some(record.filter(Session::is_usable)),
        Err(error) => {
            warn(&format!(
                "ignoring an unreadable shared session record: {error}"
            ));
            None
        }
    }
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
