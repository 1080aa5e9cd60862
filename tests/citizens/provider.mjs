// A real OpenID Connect provider on loopback for the citizen portal's tests (oidc-provider,
// its own development login and consent pages). Configured by one JSON argument:
//   {"client_id", "client_secret", "redirect_uris": [...], "accounts": {"login": {claims}}}
// It listens on a free port of 127.0.0.1 and prints its issuer URL as its first line;
// it stops when its standard input closes (the test that started it ends).
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);
const accounts = config.accounts;

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: config.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name', 'birthdate', 'id_number', 'identity_level'],
      phone: ['phone_number'],
    },
    async findAccount(ctx, id) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
    features: { devInteractions: { enabled: true } },
  });
  provider.on('server_error', (ctx, error) => console.error('provider error', error));
  server.on('request', provider.callback());
  process.stdout.write(`${issuer}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => { server.close(); process.exit(0); });
