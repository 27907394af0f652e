use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;

const NOW_MS: u64 = 1_700_000_000_000;
const SECRET: [u8; 64] = [7; 64];

fn keys() -> JwtKeys {
    JwtKeys::new(SECRET).unwrap()
}

fn claims() -> Claims {
    Claims {
        sub: "user-1".into(),
        exp: NOW_MS / 1000 + 30,
        iat: NOW_MS / 1000,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        jti: "j1".into(),
        ser: 1,
        sid: 7,
    }
}

/// Signs any header and payload with the real key (HMAC-SHA256), as a
/// forger who knew the key but not the rules would.
fn sign(header: &str, payload: &str) -> String {
    let (header, payload) = (
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
    );
    let message = format!("{header}.{payload}");
    let key = EncodingKey::from_secret(&SECRET).unwrap();
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256).unwrap();
    format!("{message}.{signature}")
}

fn forge(header: &str, claims: &Claims) -> String {
    sign(header, &serde_json::to_string(claims).unwrap())
}

#[test]
fn issued_tokens_verify_and_carry_the_registered_claims() {
    let token = keys().issue(&claims()).unwrap();
    assert_eq!(keys().verify(&token, NOW_MS), Ok(claims()));
    let payload = token.split('.').nth(1).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    for claim in ["sub", "exp", "iat", "iss", "aud", "jti"] {
        assert!(json.get(claim).is_some(), "{claim} missing from {json}");
    }
    let header = token.split('.').next().unwrap();
    assert_eq!(
        URL_SAFE_NO_PAD.decode(header).unwrap(),
        br#"{"typ":"JWT","alg":"HS256"}"#
    );
}

#[test]
fn alg_none_is_refused() {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims()).unwrap());
    let unsigned = format!("{header}.{payload}.");
    assert_eq!(keys().verify(&unsigned, NOW_MS), Err(TokenError::Algorithm));
    // Even correctly signed, a header naming `none` is refused.
    let signed = forge(r#"{"alg":"none"}"#, &claims());
    assert_eq!(keys().verify(&signed, NOW_MS), Err(TokenError::Algorithm));
}

#[test]
fn other_algorithms_and_other_headers_are_refused() {
    for header in [
        r#"{"alg":"HS512","typ":"JWT"}"#,
        r#"{"alg":"HS384","typ":"JWT"}"#,
        r#"{"alg":"RS256","typ":"JWT"}"#,
        r#"{"alg":"ES256","typ":"JWT"}"#,
        r#"{"alg":"EdDSA","typ":"JWT"}"#,
        r#"{"alg":"hs256","typ":"JWT"}"#,
        r#"{"typ":"JWT"}"#,
        r#"{"alg":"HS256"}"#,
        r#"{"alg":"HS256","typ":"JWT","crit":["exp"]}"#,
        r#"{"alg":"HS256","typ":"JWT","jku":"http://evil"}"#,
        r#"{"alg":"HS256","typ":"JWT","kid":"other"}"#,
        r#"{"alg":"HS256","typ":"at+jwt"}"#,
    ] {
        let token = forge(header, &claims());
        assert_eq!(
            keys().verify(&token, NOW_MS),
            Err(TokenError::Algorithm),
            "{header}"
        );
    }
    // A correctly signed token with our header passes the same helper.
    let ours = forge(r#"{"typ":"JWT","alg":"HS256"}"#, &claims());
    assert_eq!(keys().verify(&ours, NOW_MS), Ok(claims()));
}

#[test]
fn forged_and_tampered_tokens_are_refused() {
    let token = keys().issue(&claims()).unwrap();
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let mut sig = URL_SAFE_NO_PAD.decode(signature).unwrap();
    sig[0] ^= 1;
    let flipped = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&sig));
    assert_eq!(keys().verify(&flipped, NOW_MS), Err(TokenError::Signature));

    let mut admin = claims();
    admin.sub = "admin".into();
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&admin).unwrap());
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[1] = &forged_payload;
    assert_eq!(
        keys().verify(&parts.join("."), NOW_MS),
        Err(TokenError::Signature)
    );

    let other_key = JwtKeys::new([8; 64]).unwrap().issue(&claims()).unwrap();
    assert_eq!(
        keys().verify(&other_key, NOW_MS),
        Err(TokenError::Signature)
    );
}

#[test]
fn issuer_audience_and_expiry_are_checked() {
    let mut wrong_iss = claims();
    wrong_iss.iss = "someone-else".into();
    assert_eq!(
        keys().verify(&keys().issue(&wrong_iss).unwrap(), NOW_MS),
        Err(TokenError::Issuer)
    );

    let mut wrong_aud = claims();
    wrong_aud.aud = "another-app".into();
    assert_eq!(
        keys().verify(&keys().issue(&wrong_aud).unwrap(), NOW_MS),
        Err(TokenError::Audience)
    );

    // Expiry is exact, on the server's clock: no leeway.
    let token = keys().issue(&claims()).unwrap();
    let exp_ms = claims().exp * 1000;
    assert!(keys().verify(&token, exp_ms - 1).is_ok());
    assert_eq!(keys().verify(&token, exp_ms), Err(TokenError::Expired));
}

#[test]
fn garbage_is_malformed_not_a_panic() {
    let header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"HS256"}"#);
    let not_json = URL_SAFE_NO_PAD.encode("{not json");
    for garbage in [
        "",
        ".",
        "..",
        "a.b.c",
        "a.b.c.d",
        "ü.ü.ü",
        "eyJhbGciOiJIUzI1NiJ9",
        &format!("{not_json}.e30.AAAA"),
        &format!("{header}.e30"),
    ] {
        assert_eq!(
            keys().verify(garbage, NOW_MS),
            Err(TokenError::Malformed),
            "{garbage:?}"
        );
    }
    // Our header, a good signature, but claims that lack fields.
    let signed = sign(r#"{"typ":"JWT","alg":"HS256"}"#, r#"{"sub":"user-1"}"#);
    assert_eq!(keys().verify(&signed, NOW_MS), Err(TokenError::Malformed));
}
