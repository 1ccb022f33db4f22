import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWellFormedApiKey, WEBHOOK_FIELDS } from '@app/domain';
import { loadConfig } from '@app/platform';
import { parseAllDocuments } from 'yaml';

/**
 * deploy/kubernetes/ checked without a cluster: every object against the Kubernetes
 * OpenAPI schemas (compiled into the kubernetes-models package: types, required fields,
 * enums, formats), then the cross-references a schema cannot see.
 */
const DIR = path.resolve(__dirname, '../../deploy/kubernetes');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: any;
}

interface Validatable {
  validate(): void;
}

/** The kubernetes-models class for an apiVersion and kind, e.g. apps/v1 Deployment. */
function model(manifest: Manifest): new (data: Manifest) => Validatable {
  const group = manifest.apiVersion.includes('/') ? manifest.apiVersion : `v1`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen by kind
  const exports = require(`kubernetes-models/${group}/${manifest.kind}`) as Record<
    string,
    new (data: Manifest) => Validatable
  >;
  return exports[manifest.kind];
}

function validationError(manifest: Manifest): string | undefined {
  try {
    new (model(manifest))(manifest).validate();
    return undefined;
  } catch (err) {
    return `${manifest.kind}/${manifest.metadata?.name}: ${(err as Error).message}`;
  }
}

function load(file: string): Manifest[] {
  return parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS() as Manifest;
  });
}

describe('deploy/kubernetes', () => {
  const kustomization = load('kustomization.yaml')[0];
  const resources = (kustomization.resources as string[]).flatMap(load);
  const byKind = (kind: string): Manifest[] => resources.filter((r) => r.kind === kind);
  const deployments = byKind('Deployment');
  const podSpecs = [...deployments, ...byKind('Job')].map((m) => ({
    name: m.metadata.name,
    spec: m.spec.template.spec,
    labels: m.spec.template.metadata.labels as Record<string, string>,
  }));
  const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);

  it('is a kustomization listing every manifest in the folder', () => {
    expect(kustomization).toMatchObject({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
    });
    const files = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...(kustomization.resources as string[])].sort()).toEqual(files.sort());
    expect(byKind('Job').map((j) => j.metadata.name)).toEqual(['postmand-migrate']);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'postmand-api',
      'postmand-worker',
    ]);
    expect(byKind('Service')).toHaveLength(1);
    expect(byKind('PodDisruptionBudget')).toHaveLength(2);
    expect(
      byKind('Secret')
        .map((x) => x.metadata.name)
        .sort(),
    ).toEqual(['postmand-admin-api-key', 'postmand-database']);
  });

  it('passes the Kubernetes schema check, object by object', () => {
    expect(resources.map(validationError).filter(Boolean)).toEqual([]);
  });

  it('would catch a broken manifest (the check can fail)', () => {
    const broken = structuredClone(deployments[0]);
    broken.spec.replicas = 'two';
    delete broken.spec.template.spec.containers[0].name;
    expect(validationError(broken)).toMatch(
      /replicas must be integer|must have required property 'name'/,
    );
  });

  it('runs the right command with probes, resources and non-root security in every pod', () => {
    const commands = {
      'postmand-api': 'server',
      'postmand-worker': 'worker',
      'postmand-migrate': 'migrate',
    };
    for (const { name, spec } of podSpecs) {
      expect(spec.containers).toHaveLength(1);
      const containers = [...(spec.initContainers ?? []), ...spec.containers];
      expect(containers.map((c: { args: string[] }) => c.args[0])).toEqual(
        name === 'postmand-migrate'
          ? ['migrate', 'api-key']
          : [commands[name as keyof typeof commands]],
      );
      for (const container of containers) {
        expect(container.resources.requests).toEqual({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(container.resources.limits).toEqual({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
      if (name === 'postmand-migrate') continue;
      const [container] = spec.containers;
      const ports = (container.ports as { name: string; containerPort: number }[]).map(
        (p) => p.name,
      );
      expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'health' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
      expect(ports).toContain('health');
    }
  });

  it('gives the worker longer to stop than the longest attempt timeout', () => {
    const worker = deployments.find((d) => d.metadata.name === 'postmand-worker')!;
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(
      WEBHOOK_FIELDS.deliveryAttemptTimeout.max,
    );
  });

  it('configures from the ConfigMap (valid postmand settings) and the database URL from the Secret', () => {
    const [configMap] = byKind('ConfigMap');
    const secret = byKind('Secret').find((s) => s.metadata.name === 'postmand-database')!;
    expect(() =>
      loadConfig({ ...configMap.data, ...secret.stringData } as Record<string, string>),
    ).not.toThrow();
    expect(Object.keys(secret.stringData as object)).toEqual(['POSTMAND_DATABASE_URL']);
    for (const { spec } of podSpecs) {
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        expect(container.envFrom).toEqual([
          { configMapRef: { name: configMap.metadata.name } },
          { secretRef: { name: secret.metadata.name } },
        ]);
      }
    }
    const ports = loadConfig(configMap.data as Record<string, string>);
    const api = deployments.find((d) => d.metadata.name === 'postmand-api')!;
    const apiPorts = api.spec.template.spec.containers[0].ports as {
      name: string;
      containerPort: number;
    }[];
    expect(apiPorts).toEqual([
      { name: 'http', containerPort: ports.httpPort },
      { name: 'health', containerPort: ports.healthCheckHttpPort },
    ]);
  });

  it('turns access control on, and the Job stores the first key from its own Secret', () => {
    const [configMap] = byKind('ConfigMap');
    expect(loadConfig(configMap.data as Record<string, string>).auth).toBe('api_key');
    const job = byKind('Job')[0].spec.template.spec;
    const [container] = job.containers;
    expect(container.args).toEqual([
      'api-key',
      'create',
      '--name',
      'admin',
      '--scope',
      'write',
      '--key-env',
      'POSTMAND_ADMIN_API_KEY',
    ]);
    const ref = container.env.find((e: { name: string }) => e.name === 'POSTMAND_ADMIN_API_KEY')
      .valueFrom.secretKeyRef;
    const secret = byKind('Secret').find((s) => s.metadata.name === ref.name)!;
    expect(Object.keys(secret.stringData as object)).toEqual([ref.key]);
    // The shipped placeholder is no key at all: an unedited deployment has no known key.
    expect(isWellFormedApiKey(secret.stringData[ref.key] as string)).toBe(false);
    // Migrations first: the key's table must exist.
    expect(job.initContainers.map((c: { args: string[] }) => c.args)).toEqual([['migrate']]);
  });

  it('wires selectors: deployments to their pods, the Service and the budgets to a deployment', () => {
    for (const d of deployments) {
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    }
    const [service] = byKind('Service');
    const api = deployments.filter((d) =>
      matches(service.spec.selector, d.spec.template.metadata.labels),
    );
    expect(api.map((d) => d.metadata.name)).toEqual(['postmand-api']);
    const portNames = (api[0].spec.template.spec.containers[0].ports as { name: string }[]).map(
      (p) => p.name,
    );
    for (const port of service.spec.ports as { targetPort: string }[])
      expect(portNames).toContain(port.targetPort);
    for (const pdb of byKind('PodDisruptionBudget')) {
      const covered = deployments.filter((d) =>
        matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels),
      );
      expect(covered).toHaveLength(1);
      // A budget must leave room to drain: never all replicas pinned.
      if (pdb.spec.minAvailable !== undefined) {
        expect(pdb.spec.minAvailable).toBeLessThan(covered[0].spec.replicas);
      }
    }
  });
});
