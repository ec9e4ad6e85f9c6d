/**
 * The Kubernetes API client over TLS as AKS serves it: the server's certificate checked against
 * the kubeconfig's CA, and the kubeconfig's client certificate presented (the server requires
 * one). Certificates are made with openssl for the test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeGet } from '../../src/observe/kube-api.js';

const dir = mkdtempSync(join(tmpdir(), 'bentoctl-kube-tls-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const file = (name: string) => readFileSync(join(dir, name), 'utf8');

describe('Kubernetes API over TLS with a client certificate', () => {
  let server: Server;
  let url: string;
  let clientSubject = '';
  beforeAll(async () => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
    );
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, subject, ext] of [
      ['server', '/CN=127.0.0.1', ['-extfile', 'server.ext']],
      ['client', '/O=system:masters/CN=clusterUser', []],
    ] as const) {
      openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        subject,
      );
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '1',
        ...ext,
      );
    }
    server = createServer(
      {
        key: file('server.key'),
        cert: file('server.crt'),
        ca: file('ca.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => {
        clientSubject = String(
          (request.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '',
        );
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"kind":"PodList","items":[]}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const request = {
    path: '/api/v1/namespaces/bento/pods',
    verb: 'list',
    resource: 'pods',
    namespace: 'bento',
  };

  it('GIVEN the CA and client certificate WHEN asked THEN the server sees the client and answers', async () => {
    const body = await kubeGet(
      { server: url, ca: file('ca.crt'), cert: file('client.crt'), key: file('client.key') },
      request,
    );

    expect(JSON.parse(body ?? '{}')).toEqual({ kind: 'PodList', items: [] });
    expect(clientSubject).toBe('clusterUser');
  });

  it('GIVEN no CA WHEN asked THEN the server certificate is refused as CLOUD_REQUEST_FAILED', async () => {
    const error = await kubeGet(
      { server: url, cert: file('client.crt'), key: file('client.key') },
      request,
    ).catch((e: unknown) => e as { code?: string; message?: string });

    expect(error).toMatchObject({ code: 'CLOUD_REQUEST_FAILED' });
    expect((error as { message: string }).message).toMatch(/certificate/i);
  });
});
