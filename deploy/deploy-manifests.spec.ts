// Every file in deploy/ parses, and the pieces agree with each other and with the code that reads them: the
// eni_conf and both containers' environments pass the same parsers the processes use, every ConfigMap,
// Secret, ServiceAccount and label a workload names exists, and the dashboard asks only for metrics
// libs/telemetry defines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllocatorEnv, parseEniConfig } from '@ipledger/config';
import { METRIC_NAMES } from '@ipledger/telemetry';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseAgentEnv } from '../apps/node-agent/src/config/agent-settings.js';

const DEPLOY = import.meta.dirname;
const NAMESPACE = 'ipledger-system';
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function readYaml(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const doc of docs) {
    if (doc.errors.length > 0 || doc.warnings.length > 0) {
      throw new Error(`${file}: ${[...doc.errors, ...doc.warnings].map((e) => e.message).join('; ')}`);
    }
  }
  return docs.map((doc) => doc.toJS() as Obj).filter((doc) => doc !== null);
}

const k8sDir = join(DEPLOY, 'kubernetes');
const manifestFiles = readdirSync(k8sDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const objects = manifestFiles.flatMap((file) => readYaml(join(k8sDir, file)));
const find = (kind: string, name: string): Obj => {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  }
  return found;
};
const allocator = find('Deployment', 'ipledger-allocator');
const agentSet = find('DaemonSet', 'ipledger-node-agent');
const container = (workload: Obj, name: string): Obj =>
  (workload.spec.template.spec.containers as Obj[]).find((c) => c.name === name)!;
const configValue = (kind: 'ConfigMap' | 'Secret', name: string, key: string): string => {
  const object = find(kind, name);
  const value = (object.data ?? object.stringData ?? {})[key] as string | undefined;
  if (value === undefined) {
    throw new Error(`${kind} ${name} has no key ${key}`);
  }
  return value;
};

/** A container's environment as the kubelet would give it, with `$(VAR)` expanded over `base`. */
function resolveEnv(entries: Obj[], base: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...base };
  for (const entry of entries) {
    const from = entry.valueFrom as Obj | undefined;
    let value: string;
    if (from?.configMapKeyRef) {
      value = configValue('ConfigMap', from.configMapKeyRef.name, from.configMapKeyRef.key);
    } else if (from?.secretKeyRef) {
      value = configValue('Secret', from.secretKeyRef.name, from.secretKeyRef.key);
    } else if (from?.fieldRef) {
      value = { 'metadata.name': 'ipledger-allocator-7d9f8-abcde', 'spec.nodeName': 'cn-hangzhou.10.0.0.5' }[
        from.fieldRef.fieldPath as string
      ]!;
    } else {
      value = String(entry.value).replace(/\$\(([A-Z0-9_]+)\)/g, (whole, name: string) => env[name] ?? whole);
    }
    env[entry.name as string] = value;
  }
  return env;
}

describe('deploy/ files', () => {
  it.each(filesUnder(DEPLOY).filter((f) => /\.(ya?ml|json|conflist)$/.test(f)))('%s parses', (file) => {
    if (/\.ya?ml$/.test(file)) {
      expect(readYaml(file).length).toBeGreaterThan(0);
    } else {
      expect(() => JSON.parse(readFileSync(file, 'utf8')) as unknown).not.toThrow();
    }
  });

  it('kustomization lists every manifest but the Secret placeholders (applying them would overwrite real ones)', () => {
    const [kustomization] = readYaml(join(k8sDir, 'kustomization.yaml'));
    const expected = manifestFiles.filter((file) => file !== 'secrets.yaml');
    expect([...(kustomization.resources as string[])].sort()).toEqual(expected.sort());
  });

  it('every object is named, labelled part-of ipledger and (unless cluster-scoped) in the ipledger namespace', () => {
    for (const object of objects) {
      expect(object.apiVersion, JSON.stringify(object.metadata)).toEqual(expect.any(String));
      expect(object.metadata.labels?.['app.kubernetes.io/part-of'], object.metadata.name).toBe('ipledger');
      expect(object.metadata.namespace).toBe(CLUSTER_SCOPED.has(object.kind as string) ? undefined : NAMESPACE);
    }
  });
});

describe('configuration', () => {
  const eniConf = () => parseEniConfig(configValue('ConfigMap', 'eni-config', 'eni_conf')).config;

  it('the example eni_conf is valid for the allocator', () => {
    expect(eniConf().clusterId).not.toBe('');
  });

  it('agents fall back to the same Service CIDR the eni_conf hands to pods', () => {
    expect(configValue('ConfigMap', 'ipledger-settings', 'IPLEDGER_SERVICE_CIDR')).toBe(eniConf().serviceCidr);
  });

  it('the CNI ConfigMap installs deploy/cni/10-ipledger.conflist, whose socket the agent serves', () => {
    const conflist = JSON.parse(configValue('ConfigMap', 'ipledger-cni-config', '10-ipledger.conflist')) as Obj;
    expect(conflist).toEqual(JSON.parse(readFileSync(join(DEPLOY, 'cni/10-ipledger.conflist'), 'utf8')));
    const socket = conflist.plugins[0].agentSocket as string;
    const agent = container(agentSet, 'agent');
    expect(resolveEnv(agent.env as Obj[], {}).IPLEDGER_CNI_SOCKET).toBe(socket);
    const mounts = (agent.volumeMounts as Obj[]).map((m) => m.mountPath as string);
    expect(mounts).toContain(socket.slice(0, socket.lastIndexOf('/')));
  });

  it('the allocator container’s environment passes the allocator’s own settings parser', () => {
    const main = container(allocator, 'allocator');
    const env = resolveEnv(main.env as Obj[], {});
    const settings = parseAllocatorEnv(env, 'fallback');
    expect(settings.credentials).not.toBeNull();
    const configFile = env.IPLEDGER_ENI_CONFIG_FILE;
    const mount = (main.volumeMounts as Obj[]).find((m) => configFile.startsWith(`${m.mountPath as string}/`))!;
    const volume = (allocator.spec.template.spec.volumes as Obj[]).find((v) => v.name === mount.name)!;
    expect(volume.configMap.name).toBe('eni-config');
    expect(configFile.endsWith('/eni_conf')).toBe(true);
  });

  it('the agent container’s environment passes the agent’s own settings parser', () => {
    const serviceLinks = {
      IPLEDGER_ALLOCATOR_SERVICE_HOST: '172.21.0.40',
      IPLEDGER_ALLOCATOR_SERVICE_PORT_GRPC: '50051',
    };
    const instance = {
      IPLEDGER_INSTANCE_ID: 'i-bp1abc',
      IPLEDGER_INSTANCE_TYPE: 'ecs.g7.xlarge',
      IPLEDGER_ZONE: 'cn-hangzhou-h',
    };
    const env = resolveEnv(container(agentSet, 'agent').env as Obj[], { ...serviceLinks, ...instance });
    expect(parseAgentEnv(env).allocatorAddr).toBe('172.21.0.40:50051');
    const grpcPort = (find('Service', 'ipledger-allocator').spec.ports as Obj[]).find((p) => p.name === 'grpc');
    expect(grpcPort?.port).toBe(50051);
  });
});

/** The `# - name: X` / `#   value: Y` pairs of a manifest: variables left commented out for the operator. */
function commentedEnv(file: string, prefix: string): Obj[] {
  const text = readFileSync(join(k8sDir, file), 'utf8');
  const pairs = text.matchAll(/^\s*# - name: ([A-Z0-9_]+)\n\s*# {3}value: (\S+)$/gm);
  return [...pairs].filter(([, name]) => name.startsWith(prefix)).map(([, name, value]) => ({ name, value }));
}

describe('mutual TLS, once uncommented', () => {
  const instance = {
    IPLEDGER_INSTANCE_ID: 'i-bp1abc',
    IPLEDGER_INSTANCE_TYPE: 'ecs.g7.xlarge',
    IPLEDGER_ZONE: 'cn-hangzhou-h',
  };
  const services = { IPLEDGER_ALLOCATOR_SERVICE_HOST: '172.21.0.40', IPLEDGER_ALLOCATOR_SERVICE_PORT_GRPC: '50051' };
  const mountOf = (workload: Obj, name: string, file: string): Obj => {
    const mount = (container(workload, name).volumeMounts as Obj[]).find((m) =>
      file.startsWith(`${m.mountPath as string}/`),
    );
    expect(mount, file).toBeDefined();
    return (workload.spec.template.spec.volumes as Obj[]).find((v) => v.name === mount!.name)!;
  };

  it('the allocator reads its certificate, key and CA from the optional Secret ipledger-allocator-tls', () => {
    const tlsEnv = commentedEnv('allocator.yaml', 'IPLEDGER_TLS_');
    expect(tlsEnv.map((e) => e.name as string)).toEqual(['IPLEDGER_TLS_CERT', 'IPLEDGER_TLS_KEY', 'IPLEDGER_TLS_CA']);
    const env = resolveEnv([...(container(allocator, 'allocator').env as Obj[]), ...tlsEnv], {});
    const tls = parseAllocatorEnv(env, 'fallback').tls!;
    for (const file of [tls.certFile, tls.keyFile, tls.caFile]) {
      expect(mountOf(allocator, 'allocator', file).secret).toEqual({
        secretName: 'ipledger-allocator-tls',
        optional: true,
      });
    }
  });

  it('each agent reads its node’s certificate from the node, and checks the allocator by its Service name', () => {
    const tlsEnv = commentedEnv('node-agent.yaml', 'IPLEDGER_ALLOCATOR_TLS_');
    expect(tlsEnv.map((e) => e.name as string)).toEqual([
      'IPLEDGER_ALLOCATOR_TLS_CERT',
      'IPLEDGER_ALLOCATOR_TLS_KEY',
      'IPLEDGER_ALLOCATOR_TLS_CA',
      'IPLEDGER_ALLOCATOR_TLS_SERVER_NAME',
    ]);
    const env = resolveEnv([...(container(agentSet, 'agent').env as Obj[]), ...tlsEnv], { ...services, ...instance });
    const tls = parseAgentEnv(env).allocatorTls!;
    for (const file of [tls.certFile, tls.keyFile, tls.caFile]) {
      expect(mountOf(agentSet, 'agent', file).hostPath).toEqual({
        path: '/etc/ipledger/pki',
        type: 'DirectoryOrCreate',
      });
    }
    const service = find('Service', 'ipledger-allocator').metadata as Obj;
    expect(tls.serverName).toBe(`${service.name as string}.${service.namespace as string}.svc`);
  });
});

describe('references between objects', () => {
  const workloads = [allocator, agentSet];

  it('every ConfigMap, Secret and ServiceAccount a workload names exists', () => {
    for (const workload of workloads) {
      const pod = workload.spec.template.spec as Obj;
      find('ServiceAccount', pod.serviceAccountName as string);
      for (const volume of pod.volumes as Obj[]) {
        if (volume.configMap) {
          find('ConfigMap', volume.configMap.name as string);
        }
        if (volume.secret && !volume.secret.optional) {
          find('Secret', volume.secret.secretName as string);
        }
      }
      const containers = [...(pod.initContainers ?? []), ...pod.containers] as Obj[];
      for (const c of containers) {
        for (const mount of (c.volumeMounts ?? []) as Obj[]) {
          expect(
            (pod.volumes as Obj[]).map((v) => v.name as string),
            `${c.name}: ${mount.name}`,
          ).toContain(mount.name);
        }
      }
    }
  });

  it('the Service and the disruption budget select the allocator pods, on ports they declare', () => {
    const labels = allocator.spec.template.metadata.labels as Record<string, string>;
    const service = find('Service', 'ipledger-allocator');
    const budget = find('PodDisruptionBudget', 'ipledger-allocator');
    expect(labels).toMatchObject(service.spec.selector as Record<string, string>);
    expect(labels).toMatchObject(budget.spec.selector.matchLabels as Record<string, string>);
    const ports = (container(allocator, 'allocator').ports as Obj[]).map((p) => p.name as string);
    for (const port of service.spec.ports as Obj[]) {
      expect(ports).toContain(port.targetPort);
    }
  });

  it('metrics are served where the scrape annotations say', () => {
    for (const [workload, name] of [
      [allocator, 'allocator'],
      [agentSet, 'agent'],
    ] as const) {
      const port = workload.spec.template.metadata.annotations['prometheus.io/port'] as string;
      const env = resolveEnv(container(workload, name).env as Obj[], {});
      expect(env.IPLEDGER_METRICS_ADDR).toBe(`0.0.0.0:${port}`);
    }
  });

  it('each ClusterRoleBinding ties an existing ClusterRole to a ServiceAccount a workload runs as', () => {
    const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding');
    expect(bindings.length).toBe(2);
    for (const binding of bindings) {
      find('ClusterRole', binding.roleRef.name as string);
      for (const subject of binding.subjects as Obj[]) {
        expect(subject.namespace).toBe(NAMESPACE);
        find('ServiceAccount', subject.name as string);
      }
    }
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/ipledger-dashboard.json'), 'utf8')) as Obj;
  const exprs = (dashboard.panels as Obj[]).flatMap((p) => ((p.targets ?? []) as Obj[]).map((t) => t.expr as string));
  const known = new Set<string>(Object.values(METRIC_NAMES));
  const histograms = new Set<string>([METRIC_NAMES.allocateDuration, METRIC_NAMES.agentApplyDuration]);

  it('asks only for metrics libs/telemetry defines (histograms through _bucket, _sum, _count)', () => {
    const used = exprs.flatMap((expr) => expr.match(/ipledger_[a-z_]+/g) ?? []);
    expect(used.length).toBeGreaterThan(0);
    for (const series of used) {
      const base = series.replace(/_(bucket|sum|count)$/, '');
      const ok = known.has(series) || (histograms.has(base) && base !== series);
      expect(ok, `${series} is not a metric of libs/telemetry`).toBe(true);
    }
  });

  it('shows every metric of DESIGN §8', () => {
    const text = exprs.join('\n');
    for (const name of known) {
      expect(text).toContain(name);
    }
  });

  it('has unique panel ids and a Prometheus datasource variable', () => {
    const ids = (dashboard.panels as Obj[]).map((p) => p.id as number);
    expect(new Set(ids).size).toBe(ids.length);
    expect((dashboard.templating.list as Obj[]).some((v) => v.type === 'datasource' && v.query === 'prometheus')).toBe(
      true,
    );
  });
});
