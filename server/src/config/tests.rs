use super::*;

fn parse(args: &[&str]) -> Result<Config, clap::Error> {
    Config::try_parse_from(std::iter::once("silent-refresh-server").chain(args.iter().copied()))
}

#[test]
fn defaults_match_the_design() -> Result<(), clap::Error> {
    let config = parse(&[])?;
    assert_eq!(config.addr, SocketAddr::from(([127, 0, 0, 1], 8080)));
    assert_eq!(config.db, PathBuf::from("data/dev.sqlite"));
    assert_eq!(config.static_dir, PathBuf::from("dist"));
    assert_eq!(config.access_ttl, Duration::from_secs(30));
    assert_eq!(config.refresh_ttl, Duration::from_secs(7 * 24 * 3600));
    assert_eq!(config.reuse_grace, Duration::ZERO);
    assert!(!config.test_controls);
    assert!(!config.allow_public_test_controls);
    assert!(config.trusted_proxies.is_empty());
    assert_eq!(config.request_timeout, Duration::from_secs(15));
    assert_eq!(config.max_connections, 512);
    assert_eq!(config.max_sessions, 10);
    assert_eq!(config.user_logins_per_minute, 10);
    assert_eq!(config.address_logins_per_minute, 30);
    assert_eq!(config.oidc_issuer, None);
    assert_eq!(config.oidc_audience, "silent-refresh-api");
    assert_eq!(config.oidc_roles_claim, "roles");
    Ok(())
}

#[test]
fn humane_durations_and_flags_parse() -> Result<(), clap::Error> {
    let config = parse(&[
        "--addr",
        "127.0.0.1:0",
        "--access-ttl",
        "500ms",
        "--refresh-ttl",
        "15m",
        "--reuse-grace",
        "2s",
        "--test-controls",
    ])?;
    assert_eq!(config.addr.port(), 0);
    assert_eq!(config.access_ttl, Duration::from_millis(500));
    assert_eq!(config.refresh_ttl, Duration::from_secs(900));
    assert_eq!(config.reuse_grace, Duration::from_secs(2));
    assert!(config.test_controls);
    Ok(())
}

/// Test controls on an address others can reach would let
/// anyone revoke sessions and inject faults.
#[test]
fn test_controls_on_a_public_address_need_a_second_flag() -> Result<(), clap::Error> {
    let (clock, _) = crate::domain::clock::Clock::manual(0);
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.7:8080"] {
        let config = parse(&["--db", ":memory:", "--addr", addr, "--test-controls"])?;
        let refused = crate::state::AppState::new(config, clock.clone())
            .err()
            .unwrap_or_else(|| panic!("test controls on {addr} were accepted"));
        let message = refused.to_string();
        assert!(
            message.contains("--allow-public-test-controls"),
            "{message}"
        );
        // Without the controls the address is fine.
        assert!(
            crate::state::AppState::new(
                parse(&["--db", ":memory:", "--addr", addr])?,
                clock.clone()
            )
            .is_ok()
        );
    }
    for addr in ["127.0.0.1:0", "[::1]:0", "127.3.4.5:9"] {
        let config = parse(&["--db", ":memory:", "--addr", addr, "--test-controls"])?;
        assert!(
            crate::state::AppState::new(config, clock.clone()).is_ok(),
            "{addr}"
        );
    }
    let config = parse(&[
        "--db",
        ":memory:",
        "--addr",
        "0.0.0.0:0",
        "--test-controls",
        "--allow-public-test-controls",
    ])?;
    assert!(crate::state::AppState::new(config, clock).is_ok());
    Ok(())
}

/// `--help` says exactly what turns the controls on, and no
/// environment variable does.
#[test]
fn help_says_only_the_flag_enables_test_controls() {
    let help = <Config as clap::CommandFactory>::command()
        .render_long_help()
        .to_string();
    assert!(!help.contains("SR_TEST_CONTROLS="), "{help}");
    assert!(!help.contains("SR_ALLOW_PUBLIC_TEST_CONTROLS"), "{help}");
    assert!(
        help.contains("Only this command-line flag turns them on"),
        "{help}"
    );
    assert!(help.contains("--allow-public-test-controls"), "{help}");
}

#[test]
fn trusted_proxies_are_addresses_or_ranges() -> Result<(), clap::Error> {
    let config = parse(&[
        "--trusted-proxy",
        "10.0.0.7",
        "--trusted-proxy=192.168.0.0/16,::1",
    ])?;
    let proxies: Vec<String> = config
        .trusted_proxies
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(proxies, ["10.0.0.7/32", "192.168.0.0/16", "::1/128"]);
    assert!(parse(&["--trusted-proxy", "proxy.example"]).is_err());
    assert!(parse(&["--max-sessions", "0"]).is_err());
    Ok(())
}

#[test]
fn bad_duration_is_refused() {
    assert!(parse(&["--access-ttl", "soon"]).is_err());
    assert!(parse(&["--refresh-ttl", "soon"]).is_err());
}

#[test]
fn zero_token_lifetimes_are_refused_with_a_clear_message() {
    for flag in ["--access-ttl", "--refresh-ttl"] {
        for zero in ["0s", "0ms", "0"] {
            let error = parse(&[flag, zero]).err().unwrap_or_else(|| {
                panic!("{flag} {zero} was accepted");
            });
            assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
            let message = error.to_string();
            assert!(message.contains(flag), "{message}");
            assert!(message.contains("must be longer than zero"), "{message}");
        }
    }
    // A zero grace period is the strict default, not a mistake.
    assert!(parse(&["--reuse-grace", "0s"]).is_ok());
}

#[test]
fn the_oidc_flags_parse_and_bad_issuers_are_refused_clearly() -> Result<(), clap::Error> {
    let config = parse(&[
        "--oidc-issuer",
        "https://id.example.com/realms/demo",
        "--oidc-audience",
        "my-api",
        "--oidc-roles-claim",
        "groups",
    ])?;
    assert_eq!(
        config.oidc_issuer.as_deref(),
        Some("https://id.example.com/realms/demo")
    );
    assert_eq!(config.oidc_audience, "my-api");
    assert_eq!(config.oidc_roles_claim, "groups");
    for loopback in [
        "http://127.0.0.1:9000",
        "http://localhost:3000/oidc",
        "http://[::1]:8080/",
    ] {
        assert_eq!(
            parse(&["--oidc-issuer", loopback])?.oidc_issuer.as_deref(),
            Some(loopback)
        );
    }
    for (bad, says) in [
        ("not a url", "not a URL"),
        ("id.example.com", "https://"),
        ("ftp://id.example.com", "https://"),
        ("http://id.example.com", "loopback"),
        ("https://", "not a URL"),
        ("https://id.example.com/?tenant=1", "query"),
    ] {
        let error = parse(&["--oidc-issuer", bad])
            .err()
            .unwrap_or_else(|| panic!("{bad:?} was accepted"));
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
        let message = error.to_string();
        assert!(message.contains("--oidc-issuer"), "{message}");
        assert!(message.contains(says), "{bad:?}: {message}");
    }
    Ok(())
}
