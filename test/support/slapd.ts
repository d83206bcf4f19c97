import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';

/**
 * A throwaway OpenLDAP server for one test suite: its own temp dir, a free loopback port, mdb + ppolicy
 * (recipes/ldap.md). Never port 389 and never the system slapd. Stopped by its own pid.
 */
export interface Slapd {
  url: string;
  port: number;
  pid: number;
  dir: string;
  suffix: string;
  peopleDN: string;
  adminDN: string;
  adminPassword: string;
  stop(): Promise<void>;
}

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SUFFIX = 'dc=colima,dc=gob,dc=mx';
const ADMIN_DN = `cn=admin,${SUFFIX}`;
const ADMIN_PW = 'adminpw';

const configLdif = (dir: string): string => `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${dir}/slapd.pid

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif
include: file:///etc/ldap/schema/nis.ldif

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: ${dir}/data
olcSuffix: ${SUFFIX}
olcRootDN: ${ADMIN_DN}
olcRootPW: ${ADMIN_PW}
olcDbNoSync: TRUE
# 1 GiB (sparse until used): the default 10 MiB holds ~20,000 entries; the directory bench loads 100,000.
olcDbMaxSize: 1073741824
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: mail eq
olcDbIndex: employeeNumber eq
olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {1}to * by * read

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
olcPPolicyDefault: cn=default,ou=policies,${SUFFIX}
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: TRUE
`;

// pwdMustChange makes a pwdReset entry usable only to change its own password (the forced change at next login).
const baseLdif = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: colima
o: colima

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=policies,${SUFFIX}
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,${SUFFIX}
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdLockout: TRUE
pwdMaxFailure: 5
pwdLockoutDuration: 0
pwdFailureCountInterval: 0
pwdMustChange: TRUE
pwdAllowUserChange: TRUE
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function ready(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slapd terminó al iniciar (código ${child.exitCode}): ${stderr()}`);
    const c = new Client({ url, timeout: 1000, connectTimeout: 500 });
    try {
      await c.bind(ADMIN_DN, ADMIN_PW);
      return;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`slapd no respondió en ${url} en 10 s: ${(e as Error).message} ${stderr()}`);
    } finally {
      await c.unbind().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts slapd or fails with what to install; it never skips. */
export async function startSlapd(): Promise<Slapd> {
  if (!existsSync(SLAPD) || !existsSync(SLAPADD)) {
    throw new Error(
      'Falta OpenLDAP para las pruebas del proveedor ldap. Instálelo con: ' +
        "echo 'slapd slapd/no_configuration boolean true' | debconf-set-selections && " +
        'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slapd ldap-utils',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'mci-slapd-'));
  mkdirSync(join(dir, 'slapd.d'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'config.ldif'), configLdif(dir));
  writeFileSync(join(dir, 'base.ldif'), baseLdif);
  execFileSync(SLAPADD, ['-n0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')], { stdio: 'pipe' });
  execFileSync(SLAPADD, ['-F', join(dir, 'slapd.d'), '-b', SUFFIX, '-l', join(dir, 'base.ldif')], { stdio: 'pipe' });
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  // -d 0 keeps slapd in the foreground, so child.pid is slapd itself.
  const child = spawn(SLAPD, ['-h', `${url}/`, '-F', join(dir, 'slapd.d'), '-d', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await ready(url, child, () => err);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const pid = child.pid!;
  return {
    url,
    port,
    pid,
    dir,
    suffix: SUFFIX,
    peopleDN: `ou=people,${SUFFIX}`,
    adminDN: ADMIN_DN,
    adminPassword: ADMIN_PW,
    stop: async () => {
      if (child.exitCode === null) {
        process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => child.exitCode === null && process.kill(pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
