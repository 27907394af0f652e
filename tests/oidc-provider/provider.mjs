// Test OpenID Provider for the end-to-end tests: one public SPA client, an
// optional confidential client for a Backend-for-Frontend, two accounts, JWT
// access tokens for one resource server, and counters the tests read.
// Everything lives in memory and dies with the process.
//
//   node tests/oidc-provider/provider.mjs --port 9417 \
//     --app-origin http://127.0.0.1:8080 --roles-file /tmp/roles.json \
//     [--access-ttl 4] [--audience silent-refresh-api] [--redirect-path /auth/callback] \
//     [--bff-origin http://127.0.0.1:8443 --bff-secret SECRET] [--issuer-host localhost]

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { text } from 'node:stream/consumers';

import Provider, { errors } from 'oidc-provider';

const CLIENT_ID = 'silent-refresh-app';
const BFF_CLIENT_ID = 'bff';

const ACCOUNTS = {
  admin: { name: 'Administrator' },
  alice: { name: 'Alice Liddell' },
};

function usage(message) {
  process.stderr.write(`provider.mjs: ${message}
usage: node provider.mjs --port PORT --app-origin ORIGIN --roles-file PATH
         [--access-ttl SECONDS (default 4)] [--audience AUD (default silent-refresh-api)]
         [--redirect-path PATH (default /auth/callback)]
         [--bff-origin ORIGIN --bff-secret SECRET (adds the confidential client "bff")]
         [--issuer-host 127.0.0.1|localhost (default 127.0.0.1)]
`);
  process.exit(2);
}

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        'app-origin': { type: 'string' },
        'roles-file': { type: 'string' },
        'access-ttl': { type: 'string', default: '4' },
        audience: { type: 'string', default: 'silent-refresh-api' },
        'redirect-path': { type: 'string', default: '/auth/callback' },
        'bff-origin': { type: 'string' },
        'bff-secret': { type: 'string' },
        'issuer-host': { type: 'string', default: '127.0.0.1' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usage(err.message);
  }

  const port = Number(values.port);
  if (values.port === undefined) usage('--port is required');
  if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) usage(`--port must be 1-65535, got ${values.port}`);

  if (values['app-origin'] === undefined) usage('--app-origin is required');
  let appOrigin;
  try {
    appOrigin = new URL(values['app-origin']).origin;
  } catch {
    usage(`--app-origin is not a URL: ${values['app-origin']}`);
  }
  // CORS compares the Origin header byte for byte, so a path or trailing slash here
  // would silently break every fetch from the app.
  if (appOrigin !== values['app-origin']) {
    usage(`--app-origin must be a bare origin like http://127.0.0.1:8080, got ${values['app-origin']}`);
  }

  if (!values['roles-file']) usage('--roles-file is required');

  const accessTtl = Number(values['access-ttl']);
  if (!/^\d+$/.test(values['access-ttl']) || accessTtl < 1) usage(`--access-ttl must be a positive integer, got ${values['access-ttl']}`);

  if (!values.audience) usage('--audience must not be empty');

  const redirectPath = values['redirect-path'];
  if (!redirectPath.startsWith('/')) usage(`--redirect-path must start with /, got ${redirectPath}`);

  const bffOrigin = values['bff-origin'];
  if ((bffOrigin === undefined) !== (values['bff-secret'] === undefined)) {
    usage('--bff-origin and --bff-secret go together');
  }
  if (bffOrigin !== undefined && (!URL.canParse(bffOrigin) || new URL(bffOrigin).origin !== bffOrigin)) {
    usage(`--bff-origin must be a bare origin like http://127.0.0.1:8443, got ${bffOrigin}`);
  }
  if (values['bff-secret'] !== undefined && values['bff-secret'].length < 8) {
    usage('--bff-secret must be at least 8 characters');
  }

  // Both are this machine: localhost puts the provider on another site
  // than an app on 127.0.0.1, so its redirects back are cross-site, as
  // with a real provider.
  const issuerHost = values['issuer-host'];
  if (!['127.0.0.1', 'localhost'].includes(issuerHost)) {
    usage(`--issuer-host must be 127.0.0.1 or localhost, got ${issuerHost}`);
  }

  return {
    port,
    issuerHost,
    appOrigin,
    bffOrigin,
    bffSecret: values['bff-secret'],
    rolesFile: values['roles-file'],
    accessTtl,
    audience: values.audience,
    redirectPath,
  };
}

const opts = parseOptions();
const issuer = `http://${opts.issuerHost}:${opts.port}`;

// oidc-provider insists that a resource indicator is an absolute URI, while the
// resource server expects the bare audience string; keep the two apart.
const RESOURCE = URL.canParse(opts.audience) ? opts.audience : `urn:test-idp:resource:${opts.audience}`;
// Resource server scopes mirror what the app asks for, so the access token (and the
// token response) carry a meaningful `scope` instead of an empty one.
const RESOURCE_SCOPE = 'openid profile offline_access';

// Read on every token issue so a test can change roles between refreshes.
function rolesFor(accountId) {
  let all;
  try {
    all = JSON.parse(readFileSync(opts.rolesFile, 'utf8'));
  } catch (err) {
    process.stderr.write(`provider.mjs: roles file ${opts.rolesFile} unreadable (${err.message}); issuing roles: []\n`);
    return [];
  }
  if (all === null || typeof all !== 'object' || Array.isArray(all)) {
    process.stderr.write(`provider.mjs: roles file ${opts.rolesFile} is not a JSON object; issuing roles: []\n`);
    return [];
  }
  const roles = all[accountId] ?? [];
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
    process.stderr.write(`provider.mjs: roles for ${accountId} are not an array of strings; issuing roles: []\n`);
    return [];
  }
  return roles;
}

function signingKey(alg) {
  const { privateKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  // A fresh kid per start lets tests notice a stale JWKS cache.
  const kid = `${alg.toLowerCase()}-${randomBytes(6).toString('base64url')}`;
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

const clients = [{
  client_id: CLIENT_ID,
  token_endpoint_auth_method: 'none',
  application_type: 'web',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [`${opts.appOrigin}${opts.redirectPath}`],
  post_logout_redirect_uris: [`${opts.appOrigin}/login`],
}];
// The Backend-for-Frontend signs in as a confidential client; the browser only
// ever sees its own origin, which is where the callback lands.
if (opts.bffOrigin) {
  clients.push({
    client_id: BFF_CLIENT_ID,
    client_secret: opts.bffSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    application_type: 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [`${opts.bffOrigin}/bff/callback`],
    post_logout_redirect_uris: [`${opts.bffOrigin}/login`],
  });
}

const provider = new Provider(issuer, {
  clients,

  jwks: { keys: [signingKey('RS256'), signingKey('ES256')] },

  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    // Scoped names: the app on 127.0.0.1:<other port> shares this cookie jar
    // (cookies ignore ports).
    names: {
      session: 'test_idp_session',
      interaction: 'test_idp_interaction',
      resume: 'test_idp_interaction_resume',
    },
    // The default SameSite=None needs Secure, which Chromium enforces and plain http
    // cannot give; app and provider are same-site (127.0.0.1), so Lax is enough.
    long: { httpOnly: true, sameSite: 'lax', signed: true },
    short: { httpOnly: true, sameSite: 'lax', signed: true },
  },

  responseTypes: ['code'],
  scopes: ['openid', 'profile', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
  },

  async findAccount(ctx, sub) {
    if (!Object.hasOwn(ACCOUNTS, sub)) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, name: ACCOUNTS[sub].name, preferred_username: sub };
      },
    };
  },

  // First-party client: grant whatever was asked instead of showing a consent page.
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const accountId = ctx.oidc.account.accountId;
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);

    let grant = grantId ? await Grant.find(grantId) : undefined;
    // A grant revoked by refresh-token reuse is gone; one of another account can
    // linger in the session after a switch of user. Either way start afresh.
    if (!grant || grant.accountId !== accountId) {
      grant = new Grant({ accountId, clientId: ctx.oidc.client.clientId });
    }

    const oidcScope = [...ctx.oidc.requestParamOIDCScopes].join(' ');
    if (oidcScope) grant.addOIDCScope(oidcScope);
    for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers)) {
      const scope = [...ctx.oidc.requestParamScopes].filter((s) => server.scopes.has(s)).join(' ');
      if (scope) grant.addResourceScope(indicator, scope);
    }
    await grant.save();
    return grant;
  },

  // oidc-provider drops offline_access from the request unless prompt=consent
  // (OIDC Core 11), so the code never carries it; issue the refresh token to this
  // public web client regardless (the documented SPA recipe).
  // The same holds for the BFF, which asks for offline_access too.
  async issueRefreshToken(ctx, client, code) {
    if (!client.grantTypeAllowed('refresh_token')) return false;
    return code.scopes.has('offline_access')
      || client.clientId === BFF_CLIENT_ID
      || (client.applicationType === 'web' && client.clientAuthMethod === 'none');
  },

  // The BFF's refresh token must outlive the provider's browser session: the
  // BFF holds it for a session of its own, as offline_access would grant.
  expiresWithSession(ctx, code) {
    return ctx.oidc.client.clientId !== BFF_CLIENT_ID && !code.scopes.has('offline_access');
  },

  // Every refresh rotates, for the confidential client too (the default keeps a
  // confidential client's token until 70% of its life): a consumed token
  // presented again revokes the whole grant (lib/actions/grants/refresh_token.js),
  // so a second refresh of one BFF session shows up as reuseDetected. No grace period.
  rotateRefreshToken: () => true,

  pkce: {
    methods: ['S256'],
    required: () => true,
  },

  async extraTokenClaims(ctx, token) {
    const account = ACCOUNTS[token.accountId];
    if (!account) return undefined;
    return {
      name: account.name,
      preferred_username: token.accountId,
      roles: rolesFor(token.accountId),
    };
  },

  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // The app never sends `resource`; every token is for the one API.
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, resourceIndicator) {
        if (resourceIndicator !== RESOURCE) {
          throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
        }
        return {
          scope: RESOURCE_SCOPE,
          audience: opts.audience,
          accessTokenTTL: opts.accessTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },

  clientBasedCORS(ctx, origin) {
    return origin === opts.appOrigin;
  },

  ttl: {
    AccessToken: opts.accessTtl,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 3600,
    Session: 24 * 3600,
    Grant: 24 * 3600,
  },
});

// ---- counters for the tests -------------------------------------------------

const ERRORS_KEPT = 10;
let stats;
function counters() {
  return {
    authorizationCode: 0,
    refreshToken: 0,
    revocations: 0,
    reuseDetected: 0,
  };
}
// Totals at the top (as before), the same counters per client under byClient.
function resetStats() {
  stats = {
    ...counters(),
    grantsRevoked: 0,
    errors: [],
    byClient: Object.fromEntries(clients.map((c) => [c.client_id, counters()])),
  };
}
resetStats();

function count(ctx, counter) {
  stats[counter] += 1;
  const perClient = stats.byClient[ctx.oidc?.client?.clientId];
  if (perClient) perClient[counter] += 1;
}

provider.on('grant.success', (ctx) => {
  const grantType = ctx.oidc.params.grant_type;
  if (grantType === 'authorization_code') count(ctx, 'authorizationCode');
  if (grantType === 'refresh_token') count(ctx, 'refreshToken');
});
provider.on('grant.revoked', () => { stats.grantsRevoked += 1; });

function recordError(event, err) {
  const name = err.error || err.name || 'error';
  stats.errors.push(name);
  if (stats.errors.length > ERRORS_KEPT) stats.errors.shift();
  process.stderr.write(`provider.mjs: ${event}: ${name}${err.error_description ? ` (${err.error_description})` : ''}${err.error_detail ? ` [${err.error_detail}]` : ''}\n`);
}
for (const event of [
  'authorization.error', 'grant.error', 'revocation.error', 'userinfo.error',
  'end_session.error', 'end_session_confirm.error', 'jwks.error', 'discovery.error',
]) {
  provider.on(event, (ctx, err) => {
    // The detail string is the only thing telling a replayed refresh token apart.
    if (event === 'grant.error' && err.error_detail === 'refresh token already used') {
      count(ctx, 'reuseDetected');
    }
    recordError(event, err);
  });
}
provider.on('server_error', (ctx, err) => {
  recordError('server_error', err);
  process.stderr.write(`${err.stack}\n`);
});

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const revocationPath = provider.pathFor('revocation');
const tokenPath = provider.pathFor('token');

// Token answers to hold after the work (the grant rotated and stored): the
// next `count` of them wait `delayAnswerMs`, as a slow network would.
let heldAnswers = { count: 0, delayAnswerMs: 0 };

// provider.use() places this before the provider's own routes.
provider.use(async (ctx, next) => {
  if (ctx.path.startsWith('/__test/')) {
    if (!LOOPBACK.has(ctx.req.socket.remoteAddress)) {
      ctx.status = 403;
      return;
    }
    if (ctx.method === 'GET' && ctx.path === '/__test/stats') {
      ctx.body = stats;
    } else if (ctx.method === 'POST' && ctx.path === '/__test/reset') {
      resetStats();
      ctx.body = stats;
    } else if (ctx.method === 'POST' && ctx.path === '/__test/faults') {
      const fault = JSON.parse((await text(ctx.req)) || '{}');
      heldAnswers = {
        count: Math.max(0, Math.min(Number(fault.count) || 0, 100)),
        delayAnswerMs: Math.max(0, Math.min(Number(fault.delayAnswerMs) || 0, 10000)),
      };
      ctx.body = heldAnswers;
    } else {
      ctx.status = 404;
    }
    ctx.set('Cache-Control', 'no-store');
    return;
  }

  // devInteractions logs in whatever name is typed, and an unknown one would end
  // in a server_error. Send it back to the (unchanged) login form instead. The
  // body is read here, so oidc-provider warns once about an already parsed body.
  if (ctx.method === 'POST' && /^\/interaction\/[^/]+$/.test(ctx.path)) {
    const body = await text(ctx.req);
    ctx.req.body = body;
    const form = new URLSearchParams(body);
    if (form.get('prompt') === 'login' && !Object.hasOwn(ACCOUNTS, form.get('login') ?? '')) {
      ctx.status = 303;
      ctx.redirect(ctx.path);
      return;
    }
  }

  await next();

  if (ctx.method === 'POST' && ctx.path === tokenPath && heldAnswers.count > 0) {
    heldAnswers.count -= 1;
    await new Promise((resolve) => setTimeout(resolve, heldAnswers.delayAnswerMs));
  }

  // 8.8 emits no event for a successful revocation, and RFC 7009 answers 200 even
  // for unknown tokens; count only requests that found and destroyed a token.
  if (ctx.method === 'POST' && ctx.path === revocationPath && ctx.status === 200) {
    const { entities } = ctx.oidc ?? {};
    if (entities && (entities.RefreshToken || entities.AccessToken || entities.ClientCredentials)) {
      count(ctx, 'revocations');
    }
  }
});

// ---- serve ------------------------------------------------------------------

const server = createServer(provider.callback());
server.on('error', (err) => {
  process.stderr.write(`provider.mjs: cannot listen on 127.0.0.1:${opts.port}: ${err.message}\n`);
  process.exit(1);
});
server.listen(opts.port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${issuer}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  // Browsers keep connections alive; don't wait for them.
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
