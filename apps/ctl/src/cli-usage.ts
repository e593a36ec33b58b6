// The --help texts: the overview and one page per command.
import { type CommandName, DEFAULT_ALLOCATOR_ADDR } from './cli-args.js';

const GLOBAL_OPTIONS = `Global options:
  --allocator host:port   the allocator's gRPC address (env IPLEDGER_ALLOCATOR_ADDR, default ${DEFAULT_ALLOCATOR_ADDR})
  --cert F --key F --ca F mutual TLS: client certificate, its key, and the CA that signed the allocator
                          (env IPLEDGER_ALLOCATOR_TLS_CERT, _KEY, _CA; all three or none)
  --tls-server-name N     the name the allocator's certificate carries, when not the --allocator host
                          (env IPLEDGER_ALLOCATOR_TLS_SERVER_NAME)
  --timeout D             deadline of each call, e.g. 5s (default 10s)
  --json                  print the allocator's replies as JSON, for scripts
  -h, --help              this help, or a command's: ipledger <command> --help`;

const OVERVIEW = `ipledger: look into the ipledger allocator (nodes, pools, ENIs, allocations, history)

Usage: ipledger <command> [options]

Commands:
  nodes                          registered nodes: instance, type, zone, mode, max pods, ENIs, pool
  node <name>                    one node's pool, its ENIs and the pod on each of their addresses
  allocations [--node N]         which pod holds which address
  allocation (--ip IP | --pod ns/name)
                                 one allocation in full
  history (--ip IP | --pod ns/name[/uid] | --node N | --eni ID) [--from T] [--to T]
                                 who held an address and when, and every recorded event, oldest first
  config check <file>            validate an eni-config file (exit 1 and every problem when invalid)

${GLOBAL_OPTIONS}

Exit status: 0 on success, 1 when the allocator refused or failed (the gRPC status is named on stderr) or
a config file is invalid, 2 when the command line is wrong.`;

const COMMANDS: Record<CommandName, string> = {
  nodes: `Usage: ipledger nodes

Lists the registered nodes. ENIS is attached/maximum; COOLING counts addresses being torn down or cooling
down before they can be handed out again.`,
  node: `Usage: ipledger node <name>

Shows one node: its instance, pool counts and targets, its ENIs, and each address with the pod holding it.`,
  allocations: `Usage: ipledger allocations [--node N]

Lists the allocations of one node, or of every node.`,
  allocation: `Usage: ipledger allocation (--ip IP | --pod namespace/name)

Shows one allocation: address, gateway, vSwitch, ENI, mode, owner pod and container.`,
  history: `Usage: ipledger history (--ip IP | --pod namespace/name[/uid] | --node N | --eni ID) [--from T] [--to T]

Reads the ledger. For --ip and --pod, first the spans in which a pod held an address, then every event.
T is RFC 3339 (2026-11-21T06:00:00Z), a date (2026-11-21, midnight UTC), or a duration ago (30m, 2h).
--from is inclusive, --to exclusive.`,
  'config-check': `Usage: ipledger config check <file>

Validates an eni-config file (the eni_conf JSON) the way the allocator reads it, without contacting the
allocator. Prints the canonical sha256 when valid; every problem, one per line, and exit status 1 when not.`,
};

export function usageText(topic: CommandName | null): string {
  return topic === null ? `${OVERVIEW}\n` : `${COMMANDS[topic]}\n\n${GLOBAL_OPTIONS}\n`;
}
