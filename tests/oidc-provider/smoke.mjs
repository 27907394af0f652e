// Smoke test of provider.mjs with plain fetch, the way the SPA and the resource
// server will use it:  node tests/oidc-provider/smoke.mjs
//
// Starts its own provider on a free port with a temporary roles file and stops it
// at the end. Exits non-zero on the first failed check.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import {
  createHash, createPublicKey, randomBytes, verify,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROVIDER = fileURLToPath(new URL('./provider.mjs', import.meta.url));
const CLIENT_ID = 'silent-refresh-app';
const BFF_CLIENT_ID = 'bff';
const BFF_SECRET = 'bff-smoke-secret';
const AUDIENCE = 'silent-refresh-api';
const ACCESS_TTL = 4;
const REDIRECT_PATH = '/auth/callback';
const SCOPE = 'openid profile offline_access';
const OTHER_ORIGIN = 'http://127.0.0.1:1';

let passed = 0;
async function check(name, fn) {
  try {
    await fn();
  } catch (err) {
    err.message = `check "${name}" failed: ${err.message}`;
    throw err;
  }
  passed += 1;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function startProvider(args) {
  const child = spawn(process.execPath, [PROVIDER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const ready = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`provider not ready in 10 s; stderr:\n${stderr}`)), 10_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(/^listening on (\S+)$/m);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`provider exited with ${code} before ready; stderr:\n${stderr}`));
    });
  });
  return { child, ready, stderr: () => stderr };
}

// Just enough of a cookie jar for one host: the provider scopes some cookies by
// path, but sending them everywhere does no harm.
class Jar {
  #cookies = new Map();

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now());
      if (!value || expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function decodeJwt(jwt) {
  const [header, payload, signature] = jwt.split('.');
  assert.ok(signature, 'not a JWS compact serialization');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url')),
    payload: JSON.parse(Buffer.from(payload, 'base64url')),
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

// What the resource server does: pick the JWKS key by kid and verify the signature.
function verifyJwt(jwt, jwks) {
  const decoded = decodeJwt(jwt);
  const jwk = jwks.keys.find((k) => k.kid === decoded.header.kid);
  assert.ok(jwk, `kid ${decoded.header.kid} not in JWKS`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = decoded.header.alg === 'ES256'
    ? verify('sha256', Buffer.from(decoded.signingInput), { key, dsaEncoding: 'ieee-p1363' }, decoded.signature)
    : verify('sha256', Buffer.from(decoded.signingInput), key, decoded.signature);
  assert.ok(ok, 'signature does not verify');
  return { ...decoded, jwk };
}

async function main() {
  const port = await freePort();
  const appPort = await freePort();
  const appOrigin = `http://127.0.0.1:${appPort}`;
  const redirectUri = `${appOrigin}${REDIRECT_PATH}`;
  const bffOrigin = `http://127.0.0.1:${await freePort()}`;
  const dir = mkdtempSync(join(tmpdir(), 'oidc-smoke-'));
  const rolesFile = join(dir, 'roles.json');
  writeFileSync(rolesFile, JSON.stringify({ admin: ['admin'], alice: ['user'] }));

  const provider = startProvider([
    '--port', String(port), '--app-origin', appOrigin, '--roles-file', rolesFile,
    '--access-ttl', String(ACCESS_TTL), '--audience', AUDIENCE, '--redirect-path', REDIRECT_PATH,
    '--bff-origin', bffOrigin, '--bff-secret', BFF_SECRET,
  ]);

  try {
    const issuer = await provider.ready;
    assert.equal(issuer, `http://127.0.0.1:${port}`);

    const get = (url, init = {}) => fetch(new URL(url, issuer), { redirect: 'manual', ...init });
    const postForm = (url, form, headers = {}) => get(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form),
    });
    const stats = async () => (await get('/__test/stats')).json();

    let meta;
    let jwks;
    await check('discovery', async () => {
      const res = await get('/.well-known/openid-configuration', { headers: { origin: OTHER_ORIGIN } });
      assert.equal(res.status, 200);
      // Discovery and JWKS are open to every origin (oidc-provider's default).
      assert.equal(res.headers.get('access-control-allow-origin'), OTHER_ORIGIN);
      meta = await res.json();
      assert.equal(meta.issuer, issuer);
      assert.equal(meta.authorization_endpoint, `${issuer}/auth`);
      assert.equal(meta.token_endpoint, `${issuer}/token`);
      assert.equal(meta.jwks_uri, `${issuer}/jwks`);
      assert.equal(meta.revocation_endpoint, `${issuer}/token/revocation`);
      assert.equal(meta.end_session_endpoint, `${issuer}/session/end`);
      assert.equal(meta.userinfo_endpoint, `${issuer}/me`);
      assert.equal(meta.authorization_response_iss_parameter_supported, true);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(meta.response_types_supported, ['code']);
      assert.ok(meta.grant_types_supported.includes('refresh_token'));
    });

    await check('jwks: one ES256 and one RS256 public key', async () => {
      const res = await get(meta.jwks_uri);
      assert.equal(res.status, 200);
      jwks = await res.json();
      assert.equal(jwks.keys.length, 2);
      const ec = jwks.keys.find((k) => k.kty === 'EC');
      const rsa = jwks.keys.find((k) => k.kty === 'RSA');
      assert.equal(ec.crv, 'P-256');
      assert.equal(ec.alg, 'ES256');
      assert.equal(rsa.alg, 'RS256');
      for (const k of jwks.keys) {
        assert.ok(k.kid);
        assert.equal(k.d, undefined, 'private key material published');
      }
    });

    const authorizeUrl = (extra = {}) => {
      const url = new URL(meta.authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: SCOPE,
        ...extra,
      });
      return url;
    };

    // Browser-less walk through the dev login form; returns what the app's
    // callback would see plus the PKCE verifier. user === null expects the
    // provider session in `jar` to answer without showing the form.
    async function login(jar, user, extra = {}) {
      const verifier = b64url(randomBytes(32));
      const state = b64url(randomBytes(16));
      const nonce = b64url(randomBytes(16));
      const challenge = b64url(createHash('sha256').update(verifier).digest());
      const go = async (url, init = {}) => {
        const res = await get(url, { ...init, headers: { ...init.headers, cookie: jar.header() } });
        jar.store(res);
        return res;
      };

      let res = await go(authorizeUrl({
        state, nonce, code_challenge: challenge, code_challenge_method: 'S256', ...extra,
      }));
      assert.equal(res.status, 303);
      let location = new URL(res.headers.get('location'), issuer);

      if (user !== null) {
        assert.match(location.pathname, /^\/interaction\/[\w-]+$/, 'authorization endpoint should send the browser to the login page');
        for (let attempt = 0; ; attempt += 1) {
          res = await go(location);
          assert.equal(res.status, 200);
          const html = await res.text();
          const action = html.match(/<form[^>]*action="([^"]+)"[^>]*method="post"/)?.[1];
          assert.equal(action, location.href, 'login form posts back to its own URL');
          assert.match(html, /<input type="hidden" name="prompt" value="login"\/>/);
          assert.match(html, /<input required type="text" name="login"/);
          assert.match(html, /<input required type="password" name="password"/);
          assert.match(html, /<button type="submit" class="login login-submit">Sign-in<\/button>/);

          const name = attempt === 0 && user === 'admin' ? 'nobody' : user;
          res = await go(action, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ prompt: 'login', login: name, password: 'any password at all' }),
          });
          assert.equal(res.status, 303);
          if (name !== user) {
            // An unknown name gets the same login form again.
            assert.equal(res.headers.get('location'), location.pathname, 'unknown login name should be asked again');
            continue;
          }
          res = await go(res.headers.get('location'));
          assert.equal(res.status, 303);
          location = new URL(res.headers.get('location'), issuer);
          break;
        }
      }

      assert.equal(`${location.origin}${location.pathname}`, extra.redirect_uri ?? redirectUri, 'no consent page, straight back to the app');
      assert.equal(location.searchParams.get('state'), state);
      assert.equal(location.searchParams.get('iss'), issuer, 'RFC 9207 iss in the callback');
      const code = location.searchParams.get('code');
      assert.ok(code);
      return { code, verifier, nonce };
    }

    const token = (form, origin = appOrigin) => postForm(meta.token_endpoint, { client_id: CLIENT_ID, ...form }, { origin });

    let tokens;
    let adminLogin;
    const adminJar = new Jar();
    await check('authorization code + PKCE through the dev login form (unknown name re-asked)', async () => {
      adminLogin = await login(adminJar, 'admin');
    });

    await check('same browser: the provider session answers without a form; prompt=login asks again', async () => {
      await login(adminJar, null);
      await login(adminJar, 'admin', { prompt: 'login' });
    });

    await check('code exchange: ID token and JWT access token', async () => {
      const res = await token({
        grant_type: 'authorization_code',
        code: adminLogin.code,
        redirect_uri: redirectUri,
        code_verifier: adminLogin.verifier,
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('access-control-allow-origin'), appOrigin);
      tokens = await res.json();
      assert.equal(tokens.token_type, 'Bearer');
      assert.equal(tokens.expires_in, ACCESS_TTL);
      assert.ok(tokens.refresh_token, 'offline_access must yield a refresh token');

      const id = verifyJwt(tokens.id_token, jwks);
      assert.equal(id.header.alg, 'RS256');
      assert.equal(id.payload.iss, issuer);
      assert.equal(id.payload.aud, CLIENT_ID);
      assert.equal(id.payload.nonce, adminLogin.nonce);
      assert.equal(id.payload.sub, 'admin');
      assert.equal(id.payload.name, 'Administrator');
      assert.equal(id.payload.preferred_username, 'admin');

      const at = verifyJwt(tokens.access_token, jwks);
      assert.equal(at.header.alg, 'ES256');
      assert.equal(at.header.typ, 'at+jwt');
      assert.equal(at.jwk.kty, 'EC');
      assert.equal(at.payload.iss, issuer);
      assert.equal(at.payload.aud, AUDIENCE);
      assert.equal(at.payload.sub, 'admin');
      assert.equal(at.payload.client_id, CLIENT_ID);
      assert.equal(at.payload.name, 'Administrator');
      assert.equal(at.payload.preferred_username, 'admin');
      assert.deepEqual(at.payload.roles, ['admin']);
      assert.equal(at.payload.exp - at.payload.iat, ACCESS_TTL);
      if (process.env.SMOKE_VERBOSE) {
        const show = (label, jwt) => process.stderr.write(`${label}: ${JSON.stringify({ header: jwt.header, payload: jwt.payload }, null, 2)}\n`);
        show('access token', at);
        show('id token', id);
        process.stderr.write(`token response: ${JSON.stringify({ ...tokens, access_token: '…', id_token: '…' })}\n`);
      }
    });

    await check('a code is single-use', async () => {
      const res = await token({
        grant_type: 'authorization_code',
        code: adminLogin.code,
        redirect_uri: redirectUri,
        code_verifier: adminLogin.verifier,
      });
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error, 'invalid_grant');
      // Replaying a code revokes its grant too, so log in again for the rest.
      adminLogin = await login(new Jar(), 'admin');
      const again = await token({
        grant_type: 'authorization_code',
        code: adminLogin.code,
        redirect_uri: redirectUri,
        code_verifier: adminLogin.verifier,
      });
      assert.equal(again.status, 200);
      tokens = await again.json();
    });

    let rotated;
    await check('refresh rotates the refresh token and re-reads the roles file', async () => {
      writeFileSync(rolesFile, JSON.stringify({ admin: ['admin', 'auditor'], alice: ['user'] }));
      const res = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('access-control-allow-origin'), appOrigin);
      rotated = await res.json();
      assert.ok(rotated.refresh_token);
      assert.notEqual(rotated.refresh_token, tokens.refresh_token);
      const at = verifyJwt(rotated.access_token, jwks);
      assert.equal(at.header.alg, 'ES256');
      assert.equal(at.payload.aud, AUDIENCE);
      assert.deepEqual(at.payload.roles, ['admin', 'auditor']);
    });

    await check('reusing the rotated refresh token fails and revokes the whole grant', async () => {
      const before = await stats();
      const reuse = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal(reuse.status, 400);
      assert.equal((await reuse.json()).error, 'invalid_grant');
      const next = await token({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token });
      assert.equal(next.status, 400, 'the newest refresh token must die with the grant');
      assert.equal((await next.json()).error, 'invalid_grant');
      const after = await stats();
      assert.equal(after.reuseDetected, before.reuseDetected + 1);
      assert.equal(after.grantsRevoked, before.grantsRevoked + 1);
    });

    await check('counters after the admin flows', async () => {
      const s = await stats();
      assert.equal(s.authorizationCode, 2);
      assert.equal(s.refreshToken, 1);
      assert.equal(s.reuseDetected, 1);
      assert.equal(s.grantsRevoked, 2, 'code replay + refresh token reuse');
      assert.equal(s.revocations, 0);
      assert.deepEqual(s.errors, ['invalid_grant', 'invalid_grant', 'invalid_grant']);
    });

    await check('reset zeroes the counters', async () => {
      const res = await get('/__test/reset', { method: 'POST' });
      assert.equal(res.status, 200);
      const zero = { authorizationCode: 0, refreshToken: 0, revocations: 0, reuseDetected: 0 };
      assert.deepEqual(await stats(), {
        ...zero, grantsRevoked: 0, errors: [], byClient: { [CLIENT_ID]: zero, [BFF_CLIENT_ID]: zero },
      });
    });

    await check('fresh login as alice, refresh with a broken roles file, then RFC 7009 revocation', async () => {
      const { code, verifier } = await login(new Jar(), 'alice');
      const res = await token({
        grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier,
      });
      assert.equal(res.status, 200);
      const first = await res.json();
      assert.deepEqual(decodeJwt(first.access_token).payload.roles, ['user']);
      assert.equal(decodeJwt(first.id_token).payload.name, 'Alice Liddell');

      // A broken roles file must not break issuance: roles come out empty.
      writeFileSync(rolesFile, '{ not json');
      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      assert.equal(refreshed.status, 200);
      const alice = await refreshed.json();
      assert.deepEqual(decodeJwt(alice.access_token).payload.roles, []);

      const revoked = await postForm(meta.revocation_endpoint, {
        client_id: CLIENT_ID, token: alice.refresh_token, token_type_hint: 'refresh_token',
      }, { origin: appOrigin });
      assert.equal(revoked.status, 200);
      assert.equal(revoked.headers.get('access-control-allow-origin'), appOrigin);
      const dead = await token({ grant_type: 'refresh_token', refresh_token: alice.refresh_token });
      assert.equal(dead.status, 400);

      const s = await stats();
      assert.equal(s.authorizationCode, 1);
      assert.equal(s.refreshToken, 1);
      assert.equal(s.revocations, 1);
      assert.equal(s.grantsRevoked, 1, 'revoking a refresh token revokes its grant');
      assert.equal(s.reuseDetected, 0);
    });

    await check('the audience-bound access token is refused by userinfo', async () => {
      // Documented oidc-provider behaviour: userinfo only takes tokens without aud.
      const res = await get(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(res.status, 401);
    });

    await check('authorization errors come back to the redirect URI', async () => {
      const expectError = async (params, error) => {
        const res = await get(authorizeUrl({ state: 'st', ...params }));
        assert.equal(res.status, 303);
        const location = new URL(res.headers.get('location'));
        assert.equal(`${location.origin}${location.pathname}`, redirectUri);
        assert.equal(location.searchParams.get('error'), error, location.href);
        assert.equal(location.searchParams.get('state'), 'st');
        assert.equal(location.searchParams.get('iss'), issuer);
      };
      const challenge = b64url(createHash('sha256').update('x').digest());
      await expectError({ prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' }, 'login_required');
      await expectError({}, 'invalid_request'); // PKCE required
      await expectError({ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request');
      const errors = (await stats()).errors.slice(-3);
      assert.deepEqual(errors, ['login_required', 'invalid_request', 'invalid_request']);
    });

    await check('token endpoint CORS: app origin only', async () => {
      const res = await token({ grant_type: 'refresh_token', refresh_token: 'whatever' }, OTHER_ORIGIN);
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      assert.equal(res.status, 400);
      assert.match((await res.json()).error_description, /origin .* not allowed/);
    });

    await check('the confidential bff client: its secret, a refresh token, rotation and reuse counted per client', async () => {
      const bffRedirect = `${bffOrigin}/bff/callback`;
      const before = (await stats()).byClient;
      const { code, verifier } = await login(new Jar(), 'alice', { client_id: BFF_CLIENT_ID, redirect_uri: bffRedirect });
      const basic = (secret) => `Basic ${Buffer.from(`${BFF_CLIENT_ID}:${secret}`).toString('base64')}`;
      const bffToken = (form, secret = BFF_SECRET) => postForm(meta.token_endpoint, form, { authorization: basic(secret) });

      const wrongSecret = await bffToken({ grant_type: 'refresh_token', refresh_token: 'whatever' }, 'not-the-secret');
      assert.equal(wrongSecret.status, 401);
      assert.equal((await wrongSecret.json()).error, 'invalid_client');

      const res = await bffToken({
        grant_type: 'authorization_code', code, redirect_uri: bffRedirect, code_verifier: verifier,
      });
      assert.equal(res.status, 200);
      const first = await res.json();
      assert.ok(first.refresh_token, 'the BFF gets a refresh token');
      assert.equal(decodeJwt(first.access_token).payload.aud, AUDIENCE);

      const rotated = await bffToken({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      assert.equal(rotated.status, 200);
      assert.notEqual((await rotated.json()).refresh_token, first.refresh_token, 'a confidential client rotates too');
      const reuse = await bffToken({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      assert.equal(reuse.status, 400);

      const after = (await stats()).byClient;
      assert.equal(after[BFF_CLIENT_ID].authorizationCode, before[BFF_CLIENT_ID].authorizationCode + 1);
      assert.equal(after[BFF_CLIENT_ID].refreshToken, before[BFF_CLIENT_ID].refreshToken + 1);
      assert.equal(after[BFF_CLIENT_ID].reuseDetected, before[BFF_CLIENT_ID].reuseDetected + 1);
      assert.deepEqual(after[CLIENT_ID], before[CLIENT_ID], 'the SPA client counts none of it');
    });

    await check('SIGTERM stops the provider cleanly', async () => {
      const exited = new Promise((resolve) => { provider.child.once('exit', (code, signal) => resolve({ code, signal })); });
      provider.child.kill('SIGTERM');
      assert.deepEqual(await exited, { code: 0, signal: null });
    });

    if (process.env.SMOKE_VERBOSE) process.stderr.write(`--- provider stderr ---\n${provider.stderr()}`);
    process.stdout.write(`smoke: ${passed} checks passed\n`);
  } catch (err) {
    process.stderr.write(`${err.stack}\n--- provider stderr ---\n${provider.stderr()}\n`);
    process.stdout.write(`smoke: ${passed} checks passed, 1 failed\n`);
    process.exitCode = 1;
  } finally {
    if (provider.child.exitCode === null) provider.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
