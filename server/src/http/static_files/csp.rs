//! The security headers of every static answer, above all the
//! Content-Security-Policy with the hashes of `index.html`'s inline
//! scripts (so no `'unsafe-inline'`), found by a small HTML scanner.

use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The Content-Security-Policy of the app's pages and files: the one place
/// it is written.
///
/// - `script-src`: the app's own files; `'wasm-unsafe-eval'` to compile the
///   WebAssembly module (no JavaScript `eval`); and `'sha256-…'` of each
///   inline script of `index.html` (Trunk's `<script type="module">` that
///   imports the hashed JS and starts the hashed wasm), computed from the
///   page that is served, so no `'unsafe-inline'`.
/// - `style-src 'self'`: the stylesheet is a file; the app sets no inline
///   `style` attribute (an inline style would be refused, not allowed).
/// - `connect-src` and `form-action`: the app's own API, plus, with
///   `--oidc-issuer`, the issuer's origin (the app fetches its discovery
///   document and calls its token and revocation endpoints), plus the API
///   and the issuer the deployment file (`app-config.json`) names.
/// - `img-src` also `data:` (inline icons); no plugins, no framing by
///   anyone, no `<base>` elsewhere.
pub fn content_security_policy(script_hashes: &[String], origins: &Origins) -> String {
    let hashes: String = script_hashes
        .iter()
        .map(|hash| format!(" 'sha256-{hash}'"))
        .collect();
    let list = |origins: &[String]| -> String {
        let mut unique: Vec<&String> = Vec::new();
        for origin in origins {
            if !unique.contains(&origin) {
                unique.push(origin);
            }
        }
        unique.iter().map(|origin| format!(" {origin}")).collect()
    };
    [
        "default-src 'self'".to_owned(),
        format!("script-src 'self' 'wasm-unsafe-eval'{hashes}"),
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        format!("connect-src 'self'{}", list(&origins.connect)),
        "base-uri 'self'".to_owned(),
        format!("form-action 'self'{}", list(&origins.form_action)),
        "frame-ancestors 'none'".to_owned(),
        "object-src 'none'".to_owned(),
    ]
    .join("; ")
}

/// The other origins the app may reach: with `--oidc-issuer` the issuer's,
/// and those the deployment file names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    /// What `connect-src` allows besides `'self'` (the API, the provider).
    pub connect: Vec<String>,
    /// What `form-action` allows besides `'self'` (the provider's sign-in).
    pub form_action: Vec<String>,
}

impl Origins {
    /// The origin of `--oidc-issuer`, for both.
    pub fn of_issuer(issuer: Option<&str>) -> Self {
        let origin: Vec<String> = issuer.and_then(origin_of).into_iter().collect();
        Self {
            connect: origin.clone(),
            form_action: origin,
        }
    }

    /// These and `more`.
    #[must_use]
    pub fn and(mut self, more: Origins) -> Self {
        self.connect.extend(more.connect);
        self.form_action.extend(more.form_action);
        self
    }
}

pub fn csp_header(policy: &str) -> HeaderValue {
    // Made of ASCII literals, base64 and an origin checked by `origin_of`.
    HeaderValue::try_from(policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The other security headers of every static answer.
pub fn add_security_headers(headers: &mut HeaderMap, csp: HeaderValue) {
    headers.insert(CONTENT_SECURITY_POLICY, csp);
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Paths (the OIDC callback's `?code=`) never leave the origin; the
    // app's own POSTs keep their `Origin`.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// `scheme://host[:port]` of an `--oidc-issuer` URL (already checked by
/// the command line), or `None` if it holds anything a CSP source could
/// not (so it can never add a directive).
pub fn origin_of(issuer: &str) -> Option<String> {
    let uri = crate::oidc::check_url(issuer).ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(ipv6) => ipv6
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'),
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        }
    };
    if !host_ok {
        tracing::warn!(issuer, "the issuer's host cannot go in a CSP; left out");
        return None;
    }
    Some(match uri.port_u16() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// Base64 SHA-256 of the text of each inline `<script>` (one without
/// `src`) of `html`, in order, without repeats, as a CSP hash source wants
/// it: the text as the browser parses it, so line ends are normalised to
/// `\n` first. Scripts in comments are skipped.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    // ASCII lowercasing keeps every byte offset.
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while at < lower.len() {
        let comment = lower[at..].find("<!--").map(|i| at + i);
        let script = lower[at..].find("<script").map(|i| at + i);
        let start = match (comment, script) {
            (Some(comment), Some(script)) if comment < script => {
                at = lower[comment + 4..]
                    .find("-->")
                    .map_or(lower.len(), |i| comment + 4 + i + 3);
                continue;
            }
            (_, Some(script)) => script,
            _ => break,
        };
        let after_name = start + "<script".len();
        // `<scripts>` or `<script-x>` is another element.
        if !lower[after_name..]
            .starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        {
            at = after_name;
            continue;
        }
        let Some((tag_end, has_src)) = open_tag_end(&lower, after_name) else {
            break;
        };
        let text_end = lower[tag_end..]
            .find("</script")
            .map_or(lower.len(), |i| tag_end + i);
        if !has_src {
            let text = html[tag_end..text_end]
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            let hash = STANDARD.encode(Sha256::digest(text.as_bytes()));
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
        at = text_end;
    }
    hashes
}

/// From just after `<script` in `lower`: the offset just past the open
/// tag's `>`, and whether the tag has a `src` attribute; `None` if the tag
/// never ends.
fn open_tag_end(lower: &str, mut at: usize) -> Option<(usize, bool)> {
    let bytes = lower.as_bytes();
    let mut has_src = false;
    loop {
        while bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            at += 1;
        }
        if *bytes.get(at)? == b'>' {
            return Some((at + 1, has_src));
        }
        let name_start = at;
        while bytes
            .get(at)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            at += 1;
        }
        has_src |= &lower[name_start..at] == "src";
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            match bytes.get(at)? {
                quote @ (b'"' | b'\'') => {
                    let close = lower[at + 1..].find(char::from(*quote))?;
                    at += 1 + close + 1;
                }
                _ => {
                    while bytes
                        .get(at)
                        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                    {
                        at += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use sha2::{Digest, Sha256};

    use super::*;

    /// The inline module script, as Trunk writes it: imports the hashed JS
    /// and starts the hashed wasm.
    const INLINE_SCRIPT: &str = "\nimport init from '/app-0123456789abcdef.js';\nawait init({ module_or_path: '/app-0123456789abcdef_bg.wasm' });\n";

    #[test]
    fn inline_scripts_are_hashed_as_the_browser_parses_them() {
        let ours = |script: &str| STANDARD.encode(Sha256::digest(script.as_bytes()));
        assert_eq!(
            inline_script_hashes(&format!(
                "<head><script type=\"module\">{INLINE_SCRIPT}</script>\
             <script src=\"/external.js\">ignored</script></head>"
            )),
            [ours(INLINE_SCRIPT)]
        );
        let html = "<SCRIPT type=module>a()\r\nb()\r</Script>\
                    <script src=x.js></script>\
                    <script data-x=\"a > b\" src='y.js'>c()</script>\
                    <!-- <script>commented()</script> -->\
                    <scripts>not a script</scripts>\
                    <script>a()\nb()\n</script>\
                    <script\n>d()</script>";
        assert_eq!(
            inline_script_hashes(html),
            [ours("a()\nb()\n"), ours("d()")]
        );
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
        // An unterminated script still counts, up to the end.
        assert_eq!(inline_script_hashes("<script>e()"), [ours("e()")]);
    }

    #[test]
    fn the_csp_is_one_string_with_every_directive() {
        assert_eq!(
            content_security_policy(
                &["abc=".to_owned()],
                &Origins::of_issuer(Some("https://id.example.com"))
            ),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; \
             style-src 'self'; img-src 'self' data:; connect-src 'self' https://id.example.com; \
             base-uri 'self'; form-action 'self' https://id.example.com; \
             frame-ancestors 'none'; object-src 'none'"
        );
    }

    #[test]
    fn issuer_origins_are_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://ID.example.com/realms/demo").as_deref(),
            Some("https://id.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:9000/oidc").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            origin_of("http://[::1]:8080/").as_deref(),
            Some("http://[::1]:8080")
        );
        assert_eq!(origin_of("not a url"), None);
    }
}
