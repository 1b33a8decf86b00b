import { webhookUrlProblem } from './webhook-url';

describe('webhookUrlProblem', () => {
  it.each(['https://hooks.example.com/x402', 'http://api.example.org:8080/in?x=1'])('accepts %s', (url) =>
    expect(webhookUrlProblem(url, false)).toBeNull(),
  );
  it.each([
    'ftp://example.com/x',
    'https://user:pw@example.com/x',
    'not a url',
    'http://127.0.0.1:9000/x',
    'http://localhost/x',
    'http://10.1.2.3/x',
    'http://172.20.0.1/x',
    'http://192.168.1.1/x',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/x',
    'http://[fd00::1]/x',
  ])('refuses %s', (url) => expect(webhookUrlProblem(url, false)).not.toBeNull());
  it('allows loopback when private URLs are allowed (dev, tests)', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9000/x', true)).toBeNull();
  });
});
