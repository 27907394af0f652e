use super::*;
use crate::domain::store::Store;
use crate::schema;
use std::path::Path;

const T0: u64 = 1_700_000_000_000;
const DAY: Duration = Duration::from_secs(86_400);

fn db_with_login(user: &str, first: &str) -> Result<Store, Box<dyn std::error::Error>> {
    let db = schema::open(Path::new(":memory:"))?;
    db.with(|c| {
        c.execute(
            "INSERT INTO users (id, user_name, name, email, password_hash) VALUES (?1, ?1, '', '', '')",
            [user],
        )?;
        start_family(c, user, first, T0, DAY)
    })?;
    Ok(db)
}

fn rotate_at(
    db: &Store,
    old: &str,
    user: &str,
    new: &str,
    now: u64,
    grace: Duration,
) -> Result<String, RotationError> {
    db.with(|c| rotate(c, old, Some(user), new, now, grace))
        .map(|family| family.user_id)
}

#[test]
fn only_the_hash_is_stored() -> Result<(), Box<dyn std::error::Error>> {
    let db = db_with_login("u", "secret-token")?;
    let stored: Vec<u8> =
        db.with(|c| c.query_row("SELECT hash FROM refresh_tokens", [], |r| r.get(0)))?;
    assert_eq!(stored, token_hash("secret-token").to_vec());
    assert_ne!(stored, b"secret-token".to_vec());
    Ok(())
}

#[test]
fn rotation_spends_the_old_token() -> Result<(), Box<dyn std::error::Error>> {
    let db = db_with_login("u", "a")?;
    assert_eq!(rotate_at(&db, "a", "u", "b", T0 + 1, Duration::ZERO)?, "u");
    assert!(matches!(
        rotate_at(&db, "a", "u", "c", T0 + 2, Duration::ZERO),
        Err(RotationError::Rejected(Rejection::Reused))
    ));
    // The replay revoked the family: the newest token is refused too.
    assert!(matches!(
        rotate_at(&db, "b", "u", "d", T0 + 3, Duration::ZERO),
        Err(RotationError::Rejected(Rejection::Revoked))
    ));
    Ok(())
}

#[test]
fn spending_is_conditional_so_only_the_first_spender_wins() -> Result<(), Box<dyn std::error::Error>>
{
    let db = db_with_login("u", "a")?;
    let token = token_hash("a");
    // Two rotations that both read the token as unspent both try to spend it.
    assert_eq!(db.with(|c| spend(c, &token, T0 + 1))?, None);
    assert_eq!(db.with(|c| spend(c, &token, T0 + 2))?, Some(T0 + 1));
    // The loser's view of the token is the winner's spend time, so it is
    // judged as a reuse and revokes the family.
    assert!(matches!(
        rotate_at(&db, "a", "u", "b", T0 + 2, Duration::ZERO),
        Err(RotationError::Rejected(Rejection::Reused))
    ));
    Ok(())
}

#[test]
fn grace_allows_a_prompt_replay_only() -> Result<(), Box<dyn std::error::Error>> {
    let grace = Duration::from_secs(2);
    let db = db_with_login("u", "a")?;
    rotate_at(&db, "a", "u", "b", T0, grace)?;
    rotate_at(&db, "a", "u", "b2", T0 + 1_999, grace)?;
    // Both successors are live members of the family.
    rotate_at(&db, "b", "u", "c", T0 + 2_000, grace)?;
    rotate_at(&db, "b2", "u", "c2", T0 + 2_000, grace)?;
    assert!(matches!(
        rotate_at(&db, "a", "u", "x", T0 + 2_000, grace),
        Err(RotationError::Rejected(Rejection::Reused))
    ));
    assert!(matches!(
        rotate_at(&db, "c", "u", "d", T0 + 2_001, grace),
        Err(RotationError::Rejected(Rejection::Revoked))
    ));
    Ok(())
}

#[test]
fn wrong_user_is_refused_without_revoking() -> Result<(), Box<dyn std::error::Error>> {
    let db = db_with_login("u", "a")?;
    assert!(matches!(
        rotate_at(&db, "a", "mallory", "b", T0, Duration::ZERO),
        Err(RotationError::Rejected(Rejection::WrongUser))
    ));
    assert_eq!(rotate_at(&db, "a", "u", "b", T0, Duration::ZERO)?, "u");
    Ok(())
}

#[test]
fn rotation_never_extends_the_absolute_lifetime() -> Result<(), Box<dyn std::error::Error>> {
    let db = db_with_login("u", "a")?;
    rotate_at(&db, "a", "u", "b", T0 + 86_399_000, Duration::ZERO)?;
    assert!(matches!(
        rotate_at(&db, "b", "u", "c", T0 + 86_400_000, Duration::ZERO),
        Err(RotationError::Rejected(Rejection::Expired))
    ));
    Ok(())
}

#[test]
fn unknown_tokens_and_revocations() -> Result<(), Box<dyn std::error::Error>> {
    let db = db_with_login("u", "a")?;
    assert!(matches!(
        rotate_at(&db, "nope", "u", "b", T0, Duration::ZERO),
        Err(RotationError::Rejected(Rejection::Unknown))
    ));
    db.with(|c| revoke_family_of(c, "never-issued"))?;
    assert_eq!(db.with(|c| active_families(c, T0))?, 1);
    let family = db.with(|c| c.query_row("SELECT id FROM refresh_families", [], |r| r.get(0)))?;
    assert!(db.with(|c| is_live(c, family, "u"))?);
    assert!(!db.with(|c| is_live(c, family, "someone-else"))?);
    assert!(!db.with(|c| is_live(c, family + 1, "u"))?);
    db.with(|c| revoke_family_of(c, "a"))?;
    assert_eq!(db.with(|c| active_families(c, T0))?, 0);
    assert!(!db.with(|c| is_live(c, family, "u"))?);
    assert!(matches!(
        rotate_at(&db, "a", "u", "b", T0, Duration::ZERO),
        Err(RotationError::Rejected(Rejection::Revoked))
    ));
    Ok(())
}
