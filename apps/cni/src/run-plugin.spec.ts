import { describe, expect, it } from 'vitest';
import { type CniAgentRequest } from '@ipledger/proto';
import { AgentTimeoutError, type AgentReply, type AgentTransport } from './agent-client.js';
import { runPlugin, type PluginIo } from './run-plugin.js';

const attachment = { CNI_CONTAINERID: 'ctr', CNI_NETNS: '/run/netns/p', CNI_IFNAME: 'eth0' };
const base = { cniVersion: '1.1.0', name: 'ipledger', type: 'ipledger-cni' };

interface Sent {
  socket: string;
  request: CniAgentRequest;
  timeoutMs: number;
}

/** A fake of our own transport port: records what would go to the agent and answers as told. */
function transport(answer: AgentReply | Error = { status: 200, body: '{}' }) {
  const sent: Sent[] = [];
  const send: AgentTransport = (socket, request, timeoutMs) => {
    sent.push({ socket, request, timeoutMs });
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { sent, send };
}

function io(command: string | undefined, stdin: unknown, send: AgentTransport, env = attachment): PluginIo {
  const text = typeof stdin === 'string' ? stdin : JSON.stringify(stdin);
  return {
    env: { ...env, CNI_COMMAND: command },
    readStdin: () => Promise.resolve(text),
    readVersionInput: () => Promise.resolve(text),
    send,
  };
}

const errno = (code: string) => Object.assign(new Error(`connect ${code} /x.sock`), { code });

describe('runPlugin', () => {
  it('sends ADD to the default socket with the default timeout and prints the reply unchanged', async () => {
    const reply = '{"cniVersion":"1.1.0","ips":[{"address":"10.0.0.9/32"}]}';
    const { sent, send } = transport({ status: 200, body: reply });
    const outcome = await runPlugin(io('ADD', base, send));
    expect(outcome).toEqual({ exitCode: 0, stdout: reply });
    expect(sent).toEqual([expect.objectContaining({ socket: '/run/ipledger/cni.sock', timeoutMs: 60_000 }) as Sent]);
    expect(sent[0].request).toMatchObject({ command: 'ADD', containerId: 'ctr', args: {}, netconf: base });
  });

  it.each([
    ['no input', () => Promise.resolve(undefined), '1.1.0'],
    ['an unreadable stdin', () => Promise.reject(errno('EBADF')), '1.1.0'],
    ['garbage', () => Promise.resolve('not json'), '1.1.0'],
    ['a version we do not speak', () => Promise.resolve('{"cniVersion":"0.4.0"}'), '0.4.0'],
  ])('answers VERSION given %s', async (_case, readVersionInput, cniVersion) => {
    const { sent, send } = transport();
    const outcome = await runPlugin({ ...io('VERSION', '', send), readVersionInput });
    expect(outcome.exitCode).toBe(0);
    expect(JSON.parse(outcome.stdout)).toEqual({ cniVersion, supportedVersions: ['1.0.0', '1.1.0'] });
    expect(sent).toHaveLength(0);
  });

  it('uses agentSocket and agentTimeoutSeconds from the config', async () => {
    const { sent, send } = transport({ status: 200, body: '{}' });
    await runPlugin(io('DEL', { ...base, agentSocket: '/tmp/a.sock', agentTimeoutSeconds: 2.5 }, send));
    expect(sent[0]).toMatchObject({ socket: '/tmp/a.sock', timeoutMs: 2500 });
  });

  it('gives every invocation its own traceparent', async () => {
    const { sent, send } = transport();
    await runPlugin(io('DEL', base, send));
    await runPlugin(io('DEL', base, send));
    expect(sent[0].request.traceparent).not.toBe(sent[1].request.traceparent);
  });

  it.each([
    ['name with a slash', { name: 'a/b' }, 7, 'name: "a/b"'],
    ['empty type', { type: '' }, 7, 'type: required'],
    ['agentSocket over the sun_path limit', { agentSocket: `/${'s'.repeat(107)}` }, 7, 'agentSocket: longer than'],
    ['zero timeout', { agentTimeoutSeconds: 0 }, 7, 'agentTimeoutSeconds:'],
    ['fractional MTU', { mtu: 1500.5 }, 7, 'mtu:'],
    ['runtimeConfig as a string', { runtimeConfig: 'x' }, 7, 'runtimeConfig: must be an object'],
    ['negative egress rate', { runtimeConfig: { bandwidth: { egressRate: -1 } } }, 7, 'bandwidth.egressRate'],
    ['burst without rate', { runtimeConfig: { bandwidth: { egressBurst: 10 } } }, 7, 'bandwidth.egressRate'],
    [
      'prevResult ip without address',
      { prevResult: { cniVersion: '1.1.0', ips: [{}] } },
      7,
      'prevResult.ips[0].address',
    ],
    ['cniVersion as a number', { cniVersion: 1 }, 7, 'cniVersion: required'],
    ['cniVersion 0.3.1', { cniVersion: '0.3.1' }, 1, 'incompatible CNI version "0.3.1"'],
  ])('refuses a config with %s (code %i)', async (_case, override, code, msg) => {
    const { sent, send } = transport();
    const outcome = await runPlugin(io('ADD', { ...base, ...override }, send));
    expect(outcome.exitCode).toBe(1);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ code, msg: expect.stringContaining(msg) as string });
    expect(sent).toHaveLength(0);
  });

  it('refuses a JSON array on stdin as undecodable (6)', async () => {
    const outcome = await runPlugin(io('ADD', '[1]', transport().send));
    expect(JSON.parse(outcome.stdout)).toMatchObject({ code: 6, msg: 'stdin: must be a JSON object' });
  });

  it('answers an environment error in the config version when it is one we speak', async () => {
    const outcome = await runPlugin(io('ADD', { ...base, cniVersion: '1.0.0' }, transport().send, {} as never));
    expect(JSON.parse(outcome.stdout)).toMatchObject({ cniVersion: '1.0.0', code: 4 });
  });

  it('reports a stdin read failure as I/O failure (5)', async () => {
    const failing: PluginIo = { ...io('ADD', base, transport().send), readStdin: () => Promise.reject(errno('EIO')) };
    expect(JSON.parse((await runPlugin(failing)).stdout)).toMatchObject({ code: 5 });
  });

  it.each([
    ['ENOENT', 'ADD', 11],
    ['ECONNREFUSED', 'DEL', 11],
    ['ECONNRESET', 'CHECK', 11],
    ['ECONNREFUSED', 'STATUS', 50],
    ['EACCES', 'ADD', 5],
  ])('maps a socket error %s on %s to code %i', async (code, command, expected) => {
    const config = { ...base, prevResult: { cniVersion: '1.1.0' } };
    const outcome = await runPlugin(io(command, config, transport(errno(code)).send));
    expect(JSON.parse(outcome.stdout)).toMatchObject({ code: expected });
    expect(outcome.stdout).toContain('/run/ipledger/cni.sock');
    expect(outcome.log).toContain('"traceparent":"00-');
  });

  it('maps a timeout to 11', async () => {
    const outcome = await runPlugin(io('ADD', base, transport(new AgentTimeoutError(1000)).send));
    expect(JSON.parse(outcome.stdout)).toMatchObject({
      code: 11,
      details: expect.stringContaining('1000 ms') as string,
    });
  });

  it('passes the agent error body through with exit code 1', async () => {
    const body = '{"cniVersion":"1.1.0","code":100,"msg":"no IP left"}';
    const outcome = await runPlugin(io('ADD', base, transport({ status: 503, body }).send));
    expect(outcome).toMatchObject({ exitCode: 1, stdout: body });
    expect(JSON.parse(outcome.log!)).toMatchObject({ level: 'error', code: 100, containerId: 'ctr', command: 'ADD' });
  });

  it.each([
    ['a non-JSON error page', { status: 502, body: '<html>bad gateway</html>' }, 'node agent replied HTTP 502'],
    ['an ADD reply without cniVersion', { status: 200, body: '{"ips":[]}' }, 'malformed ADD result'],
  ])('turns %s into 999', async (_case, reply, msg) => {
    const outcome = await runPlugin(io('ADD', base, transport(reply).send));
    expect(JSON.parse(outcome.stdout)).toMatchObject({ code: 999, msg: expect.stringContaining(msg) as string });
  });
});
