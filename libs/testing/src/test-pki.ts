// Throwaway certificate authorities and certificates for mutual-TLS tests (the allocator's edge, the node
// agent's client settings, the end-to-end cluster), made with the openssl CLI in a temporary directory
// (removed by `cleanup`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: Buffer;
  key: Buffer;
  certFile: string;
  keyFile: string;
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'ipl-tls-'));

  /** A self-signed CA. */
  authority(name: string): Pem {
    const keyFile = join(this.dir, `${name}.key`);
    const certFile = join(this.dir, `${name}.crt`);
    this.openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
      ]),
    );
    return this.read(certFile, keyFile);
  }

  /** A certificate with Common Name `cn` signed by `ca`; `san` adds subjectAltName entries. */
  issue(ca: Pem, file: string, cn: string, san = `DNS:${file}`): Pem {
    const keyFile = join(this.dir, `${file}.key`);
    const csrFile = join(this.dir, `${file}.csr`);
    const certFile = join(this.dir, `${file}.crt`);
    const extFile = join(this.dir, `${file}.ext`);
    writeFileSync(extFile, `subjectAltName=${san}\n`);
    this.openssl(
      ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
        '-keyout',
        keyFile,
        '-out',
        csrFile,
        '-subj',
        `/CN=${cn}`,
      ]),
    );
    this.openssl(
      ['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial'].concat([
        '-out',
        certFile,
        '-days',
        '1',
        '-extfile',
        extFile,
      ]),
    );
    return this.read(certFile, keyFile);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { stdio: 'pipe' });
  }

  private read(certFile: string, keyFile: string): Pem {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile), certFile, keyFile };
  }
}
