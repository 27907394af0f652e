use super::*;
use crate::domain::refresh_tokens;
use crate::schema;

const T0: u64 = 1_700_000_000_000;
const WINDOW: Duration = Duration::from_secs(60);

/// A store with one user whose first refresh token `old` has been spent
/// for `new`.
fn rotated() -> crate::domain::store::Store {
    let store = schema::open(std::path::Path::new(":memory:")).expect("a store");
    store
        .with(|conn| {
            conn.execute(
                "INSERT INTO users (id, user_name, name, email, password_hash) VALUES ('u', 'u', '', '', '')",
                [],
            )?;
            refresh_tokens::start_family(conn, "u", "old", T0, Duration::from_secs(86_400))?;
            refresh_tokens::rotate(conn, "old", None, "new", T0, Duration::ZERO)
                .map_err(|_| rusqlite::Error::InvalidQuery)?;
            Ok::<_, rusqlite::Error>(())
        })
        .expect("a rotation");
    store
}

fn answer() -> Answer {
    Answer {
        access_token: "access-1".into(),
        refresh_token: "new".into(),
        access_expires_at_ms: T0 + 30_000,
    }
}

#[test]
fn the_same_token_and_key_within_the_window_get_the_answer_again() {
    let store = rotated();
    store
        .with(|conn| keep(conn, "old", "key-1", &answer(), T0, WINDOW))
        .expect("kept");
    let again = store
        .with(|conn| answer_again(conn, "old", "key-1", T0 + 59_999, WINDOW))
        .expect("read")
        .expect("given again");
    assert_eq!(again.answer, answer());
    assert_eq!(again.user_id, "u");
    for (presented, key, at) in [
        ("old", "key-2", T0 + 1),      // another key
        ("old", "key-1", T0 + 60_000), // after the window
        ("new", "key-1", T0 + 1),      // another token
    ] {
        let none = store
            .with(|conn| answer_again(conn, presented, key, at, WINDOW))
            .expect("read");
        assert_eq!(none, None, "{presented} {key} {at}");
    }
}

#[test]
fn once_the_new_token_is_spent_or_revoked_the_answer_is_not_given_again() {
    let store = rotated();
    store
        .with(|conn| keep(conn, "old", "key-1", &answer(), T0, WINDOW))
        .expect("kept");
    store
        .with(|conn| {
            refresh_tokens::rotate(conn, "new", None, "newer", T0 + 1, Duration::ZERO)
                .map_err(|_| rusqlite::Error::InvalidQuery)
        })
        .expect("the new token rotated in turn");
    let none = store
        .with(|conn| answer_again(conn, "old", "key-1", T0 + 2, WINDOW))
        .expect("read");
    assert_eq!(none, None);
}

#[test]
fn nothing_usable_rests_in_the_table() {
    let store = rotated();
    store
        .with(|conn| keep(conn, "old", "key-1", &answer(), T0, WINDOW))
        .expect("kept");
    let rows: Vec<Vec<u8>> =
        store
            .with(|conn| {
                conn.query_row(
                "SELECT token_hash, key_hash, successor_hash, nonce, sealed FROM refresh_replays",
                [],
                |row| Ok(vec![row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?]),
            )
            })
            .expect("the row");
    for column in &rows {
        for secret in ["access-1", "new", "old", "key-1"] {
            assert!(
                !column.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is readable at rest"
            );
        }
    }
    // The sealed answer opens with the spent token only.
    assert!(
        cipher("someone-else")
            .decrypt(
                Nonce::from_slice(&rows[3]),
                Payload {
                    msg: &rows[4],
                    aad: &key_hash("key-1"),
                },
            )
            .is_err()
    );
}
