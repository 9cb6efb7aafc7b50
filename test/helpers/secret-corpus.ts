// Issue 14 item 4: a corpus of secret formats, each as it appears in real failures (messages, URLs, headers, JSON).
/** Each entry: the format's name, a text as it appears in a failure, and the secret part that must not survive. */
export const SECRET_CORPUS: ReadonlyArray<readonly [string, string, string]> = [
  [
    'Google API key',
    'GET https://generativelanguage.googleapis.com/v1?key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW failed',
    'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
  ],
  [
    'Google API key alone',
    'key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW leaked',
    'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
  ],
  [
    'bare JWT',
    'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U rejected',
    'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ],
  ['URL userinfo', 'connect to https://admin:s3cr3tP4ss@db.example.com:5432/app failed', 's3cr3tP4ss'],
  [
    '?token= query',
    'GET https://api.example.com/v1/items?page=2&token=tok_9f8e7d6c5b4a returned 500',
    'tok_9f8e7d6c5b4a',
  ],
  ['?access_token= query', 'redirect to /cb?access_token=ya29.a0AfH6SMBx&state=1', 'ya29.a0AfH6SMBx'],
  ['Cookie header', 'request headers: Cookie: session=abc123def456; csrftoken=zzz999', 'abc123def456'],
  ['Set-Cookie header', 'Set-Cookie: sid=s%3Aabcdef0123456789; Path=/; HttpOnly', 'abcdef0123456789'],
  [
    'OpenAI sk-',
    'Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz012345',
    'sk-abcdefghijklmnopqrstuvwxyz012345',
  ],
  ['OpenAI sk-proj-', 'key sk-proj-AbCdEfGh_12345678-ijklmnop in use', 'sk-proj-AbCdEfGh_12345678-ijklmnop'],
  [
    'Anthropic sk-ant-',
    'x sk-ant-api03-AbCdEfGhIjKlMnOp-QrStUv_wxyz y',
    'sk-ant-api03-AbCdEfGhIjKlMnOp-QrStUv_wxyz',
  ],
  ['Stripe rk_live_', 'restricted rk_live_51HabcdEFGHijklMNOP', 'rk_live_51HabcdEFGHijklMNOP'],
  ['Stripe sk_live_', 'secret sk_live_51HabcdEFGHijklMNOP', 'sk_live_51HabcdEFGHijklMNOP'],
  ['Slack xoxb-', 'slack xoxb-1234567890-0987654321-AbCdEfGhIjKl', 'xoxb-1234567890-0987654321-AbCdEfGhIjKl'],
  ['Slack xoxp-', 'slack xoxp-1234567890-0987654321-AbCdEfGhIjKl', 'xoxp-1234567890-0987654321-AbCdEfGhIjKl'],
  [
    'GitHub ghp_',
    'auth ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 denied',
    'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  ],
  [
    'GitHub github_pat_',
    'auth github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz denied',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
  ],
  ['AWS AKIA', 'aws AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
  ['Bearer', 'sent Bearer abcDEF123456ghiJKL789', 'abcDEF123456ghiJKL789'],
  ['Basic', 'sent Basic dXNlcjpwYXNzd29yZDEyMw==', 'dXNlcjpwYXNzd29yZDEyMw=='],
  ['x-api-key header', '{"headers":{"x-api-key":"k-9a8b7c6d5e4f"}}', 'k-9a8b7c6d5e4f'],
  ['api_key= pair', 'POST /v1?api_key=plainkey12345&q=1', 'plainkey12345'],
  ['password= pair', 'login failed for password=hunter2hunter2', 'hunter2hunter2'],
  ['Authorization header', 'Authorization: token 0123456789abcdef0123', '0123456789abcdef0123'],
];
