//! The client's address: the peer of the connection, or, when that peer is
//! a trusted proxy (`--trusted-proxy`), the address it forwarded.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The header a proxy appends the address of its own peer to.
const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client behind `peer`. From a peer that is no trusted proxy, `peer`
/// itself (whatever it sends). From a trusted proxy, the `X-Forwarded-For`
/// entries are read right to left, skipping trusted proxies; the first other
/// address is the client. An entry that is not an address ends the walk at
/// the proxy that sent it (its input cannot be believed); when every entry
/// is trusted, the leftmost is the client.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&ip.to_canonical()));
    let peer = peer.to_canonical();
    if !is_trusted(&peer) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Ok(hop) = entry.parse::<IpAddr>() else {
            return client;
        };
        client = hop.to_canonical();
        if !is_trusted(&client) {
            return client;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(X_FORWARDED_FOR, value.parse().expect("a header value"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().expect("a network")).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let forged = headers(&["192.0.2.1"]);
        assert_eq!(
            client_address(ip("198.51.100.7"), &forged, &[]),
            ip("198.51.100.7")
        );
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_address(ip("198.51.100.7"), &forged, &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.1/32", "10.0.1.0/24"]);
        let peer = ip("10.0.0.1");
        for (forwarded, client) in [
            (&["203.0.113.5"][..], "203.0.113.5"),
            (&["192.0.2.66, 203.0.113.5, 10.0.1.9"], "203.0.113.5"),
            (&["192.0.2.66", "203.0.113.5,10.0.1.9"], "203.0.113.5"),
            (&["10.0.1.3, 10.0.1.9"], "10.0.1.3"),
            (&["203.0.113.5, not-an-ip, 10.0.1.9"], "10.0.1.9"),
            (&["garbage"], "10.0.0.1"),
            (&[], "10.0.0.1"),
            (&["::ffff:203.0.113.5"], "203.0.113.5"),
            (&["2001:db8::1"], "2001:db8::1"),
        ] {
            assert_eq!(
                client_address(peer, &headers(forwarded), &trusted),
                ip(client),
                "{forwarded:?}"
            );
        }
        // A proxy reached over IPv6 as an IPv4-mapped address is trusted.
        assert_eq!(
            client_address(ip("::ffff:10.0.0.1"), &headers(&["203.0.113.5"]), &trusted),
            ip("203.0.113.5")
        );
    }
}
