// A real OpenID Connect provider for the tests: panva's certified oidc-provider (npm,
// installed by deploy/test into .data/oidc), issuing JWT access tokens with the
// client_credentials grant.
//
//   OIDC_MODULES=.data/oidc/node_modules OIDC_PORT=4000 OIDC_KEYS=/tmp/keys.json \
//     node tests/oidc/provider.mjs
//
// OIDC_KEYS names the provider's private JWKS: one RS256, one ES256 and one EdDSA key, made
// (with fresh kids) when the file does not exist, so a restart on a new file is a key rotation.
// OIDC_ISSUER overrides the issuer (default http://127.0.0.1:<port>). Prints "ready <issuer>"
// when it listens.
//
// Clients (secret "secret"; metadata chosen per test):
//   apq-admin    groups ["APQ-Amministratori"], RS256
//   apq-ente     realm_access.roles ["apq-ente"], ipa_code "048017", ES256
//   apq-eddsa    groups ["APQ-Auditor"], EdDSA
//   apq-brief    groups ["APQ-Amministratori"], RS256, tokens valid for 1 second
// A token is asked for a resource `urn:apq:<service>`; its audience is then `apq-<service>`.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.OIDC_MODULES ?? '.data/oidc/node_modules';
const { default: Provider } = await import(
  pathToFileURL(join(modules, 'oidc-provider', 'lib', 'index.js')).href
);

const port = Number(process.env.OIDC_PORT ?? 4000);
const issuer = process.env.OIDC_ISSUER ?? `http://127.0.0.1:${port}`;
const keysFile = process.env.OIDC_KEYS ?? 'oidc-keys.json';

function makeKeys() {
  const jwk = (pair, alg) => ({
    ...pair.privateKey.export({ format: 'jwk' }),
    kid: `${alg.toLowerCase()}-${randomUUID()}`,
    alg,
    use: 'sig',
  });
  return {
    keys: [
      jwk(generateKeyPairSync('rsa', { modulusLength: 2048 }), 'RS256'),
      jwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'ES256'),
      jwk(generateKeyPairSync('ed25519'), 'EdDSA'),
    ],
  };
}

if (!existsSync(keysFile)) {
  writeFileSync(keysFile, JSON.stringify(makeKeys()), { mode: 0o600 });
}
const jwks = JSON.parse(readFileSync(keysFile, 'utf8'));

const client = (client_id, apq_alg, apq_claims, apq_ttl = 300) => ({
  client_id,
  client_secret: 'secret',
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
  scope: 'apq',
  apq_alg,
  apq_claims,
  apq_ttl,
});

const provider = new Provider(issuer, {
  clients: [
    client('apq-admin', 'RS256', { groups: ['APQ-Amministratori'] }),
    client('apq-ente', 'ES256', { realm_access: { roles: ['apq-ente'] }, ipa_code: '048017' }),
    client('apq-eddsa', 'EdDSA', { groups: ['APQ-Auditor'] }),
    client('apq-brief', 'RS256', { groups: ['APQ-Amministratori'] }, 1),
  ],
  jwks,
  scopes: ['apq'],
  extraClientMetadata: { properties: ['apq_alg', 'apq_claims', 'apq_ttl'] },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:apq:agreements',
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => ({
        scope: 'apq',
        audience: resource.replace(/^urn:apq:/, 'apq-'),
        accessTokenTTL: client.apq_ttl ?? 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: client.apq_alg ?? 'RS256' } },
      }),
    },
  },
  extraTokenClaims: (ctx) => ctx.oidc.client?.apq_claims ?? {},
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
