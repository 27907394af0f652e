//! The cross-tab refresh protocol, model-checked with stateright: every
//! interleaving of a few tabs sharing one session through the Web Lock and
//! the shared record, a server that rotates refresh tokens with reuse
//! detection and idempotent rotation, answers lost after the server did
//! its work, and tabs closed mid-refresh.
//!
//! Each action stands for a function of the real code:
//! - [`Step::Lock`]: `lock::with_lock`, a tab taking the refresh lock;
//! - [`Step::Decide`]: `shared_step` on the record `SharedRefresher::refresh`
//!   reads, then `write_ahead` (the intent and its key) — or, with
//!   `write_ahead` off in the model, a fresh key and no intent;
//! - [`Step::Serve`]: the server's `Sessions::refresh` (in
//!   `server/src/domain/sessions.rs`): `replays::answer_again`, else
//!   `refresh_tokens::rotate` with reuse detection, then `replays::keep`;
//! - [`Step::Lose`]: an answer lost after the server's work (the
//!   `dropAnswer` fault, a network that went away);
//! - [`Step::Deliver`]: the answer reaching the tab: `SharedRefresher`'s
//!   record update with the new pair (clearing the intent), or a refused
//!   refresh ending the session;
//! - [`Step::Retry`]: a tab whose refresh got no answer letting the lock go
//!   and trying again (`RefreshCoordinator`'s retries, or its next call);
//! - [`Step::Close`]: a tab closed; the browser releases its lock, and an
//!   answer on its way dies with it.
//!
//! The server's idempotency window is taken as longer than the model's
//! every retry (retries come within seconds, the window is 60 s).

use std::collections::{BTreeMap, BTreeSet};

use stateright::{Checker, Model, Property};

/// Refresh tokens and idempotency keys are numbers here.
type Token = u8;
type Key = u8;

/// Where a tab is in its refresh of token 0 (every tab's token has expired
/// at the start).
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Tab {
    /// Wants a new token; may take the lock.
    Waiting { attempts: u8 },
    /// Holds the lock; about to read the record.
    Locked { attempts: u8 },
    /// Holds the lock; its refresh of `token` with `key` is on its way.
    Sent {
        attempts: u8,
        token: Token,
        key: Key,
    },
    /// Holds the lock; the answer was lost.
    NoAnswer { attempts: u8 },
    /// Has a new token (`refreshed` or adopted from the record).
    Done,
    /// Its session ended: it shows the login page.
    LoggedOut,
    /// Closed.
    Closed,
}

/// A refresh the server has not handled yet, or has.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Request {
    tab: usize,
    token: Token,
    key: Key,
    /// The server's answer, once it handled the request.
    answer: Option<Option<Token>>,
}

/// The server's refresh tokens of the one session (family).
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
struct Server {
    /// The live refresh token; every lower one is spent.
    current: Token,
    /// The family was revoked (reuse detected).
    revoked: bool,
    /// Kept answers: spent token -> (key, the token it was rotated to).
    replays: BTreeMap<Token, (Key, Token)>,
    /// Every key each token was presented with.
    keys_seen: BTreeMap<Token, BTreeSet<Key>>,
}

/// The shared record (one IndexedDB entry).
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
struct Record {
    token: Token,
    /// The refresh under way: (key, the token it spends).
    intent: Option<(Key, Token)>,
    /// Logged out.
    ended: bool,
}

/// The whole system.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct World {
    lock: Option<usize>,
    record: Record,
    tabs: Vec<Tab>,
    requests: Vec<Request>,
    server: Server,
    next_key: Key,
    losses: u8,
}

/// What can happen next.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Lock(usize),
    Decide(usize),
    Serve(usize),
    Lose(usize),
    Deliver(usize),
    Retry(usize),
    Close(usize),
}

/// The system's size and the protocol's variant.
struct Protocol {
    tabs: usize,
    /// Answers that may be lost, in all.
    max_losses: u8,
    /// Tries per tab.
    max_attempts: u8,
    /// Whether a refresh is written ahead (the intent); off shows the bug
    /// the intent fixes.
    write_ahead: bool,
}

impl World {
    fn release(&mut self, tab: usize) {
        if self.lock == Some(tab) {
            self.lock = None;
        }
    }

    fn request_of(&self, tab: usize) -> Option<usize> {
        self.requests.iter().position(|r| r.tab == tab)
    }
}

impl Model for Protocol {
    type State = World;
    type Action = Step;

    fn init_states(&self) -> Vec<World> {
        vec![World {
            lock: None,
            record: Record::default(),
            tabs: vec![Tab::Waiting { attempts: 0 }; self.tabs],
            requests: Vec::new(),
            server: Server::default(),
            next_key: 0,
            losses: 0,
        }]
    }

    fn actions(&self, world: &World, actions: &mut Vec<Step>) {
        for (i, tab) in world.tabs.iter().enumerate() {
            let request = world.request_of(i).map(|r| &world.requests[r]);
            match tab {
                Tab::Waiting { attempts }
                    if world.lock.is_none() && *attempts < self.max_attempts =>
                {
                    actions.push(Step::Lock(i));
                }
                Tab::Locked { .. } => actions.push(Step::Decide(i)),
                Tab::NoAnswer { .. } => actions.push(Step::Retry(i)),
                _ => {}
            }
            if let Some(request) = request {
                match request.answer {
                    None => actions.push(Step::Serve(i)),
                    Some(_) if matches!(tab, Tab::Sent { .. }) => {
                        actions.push(Step::Deliver(i));
                        if world.losses < self.max_losses {
                            actions.push(Step::Lose(i));
                        }
                    }
                    Some(_) => {}
                }
            }
            // Tab 0 stays open, so that someone is left to finish.
            let open = !matches!(tab, Tab::Done | Tab::LoggedOut | Tab::Closed);
            if i > 0 && open {
                actions.push(Step::Close(i));
            }
        }
    }

    fn next_state(&self, world: &World, step: Step) -> Option<World> {
        let mut next = world.clone();
        match step {
            Step::Lock(i) => {
                let Tab::Waiting { attempts } = next.tabs[i] else {
                    return None;
                };
                next.lock = Some(i);
                next.tabs[i] = Tab::Locked { attempts };
            }
            Step::Decide(i) => {
                let Tab::Locked { attempts } = next.tabs[i] else {
                    return None;
                };
                let record = &next.record;
                if record.ended {
                    next.tabs[i] = Tab::LoggedOut;
                    next.release(i);
                } else if record.token != 0 {
                    // Another tab refreshed: adopt, no network call.
                    next.tabs[i] = Tab::Done;
                    next.release(i);
                } else {
                    let key = match record.intent {
                        Some((key, token)) if self.write_ahead && token == record.token => key,
                        _ => {
                            next.next_key += 1;
                            next.next_key
                        }
                    };
                    if self.write_ahead {
                        next.record.intent = Some((key, 0));
                    }
                    next.tabs[i] = Tab::Sent {
                        attempts,
                        token: 0,
                        key,
                    };
                    next.requests.push(Request {
                        tab: i,
                        token: 0,
                        key,
                        answer: None,
                    });
                }
            }
            Step::Serve(i) => {
                let r = next.request_of(i)?;
                let Request { token, key, .. } = next.requests[r];
                let server = &mut next.server;
                server.keys_seen.entry(token).or_default().insert(key);
                let answer = if server.revoked {
                    None
                } else if token == server.current {
                    server.current += 1;
                    server.replays.insert(token, (key, server.current));
                    Some(server.current)
                } else if server.replays.get(&token) == Some(&(key, server.current)) {
                    Some(server.current)
                } else {
                    // A spent token again: reuse, the family is revoked.
                    server.revoked = true;
                    None
                };
                // On its way back: Lose or Deliver decides.
                next.requests[r].answer = Some(answer);
            }
            Step::Lose(i) => {
                let Tab::Sent { attempts, .. } = next.tabs[i] else {
                    return None;
                };
                let r = next.request_of(i)?;
                next.requests.remove(r);
                next.losses += 1;
                next.tabs[i] = Tab::NoAnswer { attempts };
            }
            Step::Deliver(i) => {
                let Tab::Sent { token, .. } = next.tabs[i] else {
                    return None;
                };
                let r = next.request_of(i)?;
                match next.requests.remove(r).answer? {
                    Some(new) => {
                        // Written only over the token refreshed.
                        if next.record.token == token && !next.record.ended {
                            next.record.token = new;
                            next.record.intent = None;
                        }
                        next.tabs[i] = Tab::Done;
                    }
                    None => {
                        next.record.ended = true;
                        next.tabs[i] = Tab::LoggedOut;
                    }
                }
                next.release(i);
            }
            Step::Retry(i) => {
                let Tab::NoAnswer { attempts } = next.tabs[i] else {
                    return None;
                };
                next.release(i);
                next.tabs[i] = Tab::Waiting {
                    attempts: attempts + 1,
                };
            }
            Step::Close(i) => {
                next.tabs[i] = Tab::Closed;
                next.release(i);
                // Its request, if the server has it, is still handled; an
                // answer dies with the tab.
                if let Some(r) = next.request_of(i)
                    && next.requests[r].answer.is_some()
                {
                    next.requests.remove(r);
                }
            }
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always(
                "no refresh token is presented under two keys",
                |_, world: &World| world.server.keys_seen.values().all(|keys| keys.len() <= 1),
            ),
            Property::always(
                "no tab is logged out while nobody revoked the family",
                |_, world: &World| !world.tabs.contains(&Tab::LoggedOut),
            ),
            Property::eventually("a refresh completes", |_, world: &World| {
                world.record.token > 0
            }),
        ]
    }
}

/// The protocol as built: two or three tabs, two lost answers, three tries
/// a tab.
fn protocol(tabs: usize, write_ahead: bool) -> Protocol {
    Protocol {
        tabs,
        max_losses: 2,
        max_attempts: 3,
        write_ahead,
    }
}

#[test]
fn with_the_intent_every_interleaving_keeps_the_session() {
    for tabs in [2, 3] {
        let checker = protocol(tabs, true).checker().spawn_bfs().join();
        checker.assert_properties();
        println!(
            "{tabs} tabs: {} states, {} unique, depth {}",
            checker.state_count(),
            checker.unique_state_count(),
            checker.max_depth()
        );
    }
}

#[test]
fn without_the_intent_a_closed_tab_or_a_lost_answer_costs_the_session() {
    let checker = protocol(2, false).checker().spawn_bfs().join();
    let keys = checker
        .discovery("no refresh token is presented under two keys")
        .expect("the checker finds a token presented under two keys");
    println!("counterexample (two keys for one token):\n{keys}");
    let logout = checker
        .discovery("no tab is logged out while nobody revoked the family")
        .expect("the checker finds a logout");
    println!("counterexample (a logout):\n{logout}");
    // The five steps of the closed tab: tab 1 takes the lock, sends token
    // 0, the server rotates, tab 1 closes; tab 0 sends token 0 again.
    checker.assert_discovery(
        "no tab is logged out while nobody revoked the family",
        vec![
            Step::Lock(1),
            Step::Decide(1),
            Step::Serve(1),
            Step::Close(1),
            Step::Lock(0),
            Step::Decide(0),
            Step::Serve(0),
            Step::Deliver(0),
        ],
    );
}
