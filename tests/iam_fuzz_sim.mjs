// tests/iam_fuzz_sim.mjs — runs requests in `ansim iam eval`'s JSON form (docs/iam.md)
// through @cloud-copilot/iam-simulate, all in this one node process, and prints one JSON
// line per request, in order:
//   {"decision": "allow"|"explicit_deny"|"implicit_deny", "ignored": [context keys the
//    simulator dropped], "a": {per-policy-type results of its analysis, blockedBy}}
// or {"error": "..."} when the simulator refused the request.
//
// Usage: node tests/iam_fuzz_sim.mjs SIM_DIR CASES.json [--bench ROUNDS]
//   SIM_DIR   a folder where `npm install --prefix SIM_DIR @cloud-copilot/iam-simulate` ran
//   --bench   no decisions printed: evaluates every request ROUNDS times, after one
//             warm-up round, with runSimulation (validated, async: what the test uses) and
//             with the simulator's engine alone (its authorize(), with every request's
//             policies parsed once beforehand) and prints {"requests", "rounds",
//             "run_simulation_seconds", "core_seconds", "core_agrees_with_run_simulation"},
//             timing only the evaluation loops. (runUnsafeSimulation is not used: it ignores
//             session policies and fails on any resource policy, whose name it leaves unset.)
//
// The mapping between the two input forms is the one tests/iam_diff.py uses, reversed:
// an anonymous caller (principal null) is the simulator's {type: 'Anonymous'}; SCP and
// RCP levels become org levels (the simulator adds RCPFullAWSAccess to each RCP level,
// as ansim implies it); the permissions boundary is a one-element list. S3 bucket ABAC is
// switched on so aws:ResourceTag/* keys are not dropped for S3 resources. Strict mode.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

const [simDir, casesFile, flag, roundsArg] = process.argv.slice(2)
if (!simDir || !casesFile) {
  console.error('usage: node tests/iam_fuzz_sim.mjs SIM_DIR CASES.json [--bench ROUNDS]')
  process.exit(2)
}
const require = createRequire(path.join(path.resolve(simDir), 'package.json'))
const { runSimulation, anonymousPrincipal } = require('@cloud-copilot/iam-simulate')

const named = (prefix, docs) => (docs || []).map((policy, i) => ({ name: `${prefix}${i}`, policy }))
const levels = (prefix, lvls) =>
  (lvls || []).map((docs, l) => ({ orgIdentifier: `${prefix}-level-${l}`, policies: named(`${prefix}${l}-`, docs) }))

function toSimulation(c) {
  const sim = {
    request: {
      principal: c.principal == null ? anonymousPrincipal : c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resource_account },
      contextVariables: c.context || {}
    },
    identityPolicies: named('identity', c.identity_policies),
    serviceControlPolicies: levels('scp', c.scps),
    resourceControlPolicies: levels('rcp', c.rcps),
    additionalSettings: { s3: { bucketAbacEnabled: true } }
  }
  if (c.resource_policy) sim.resourcePolicy = c.resource_policy
  if (c.permission_boundary) sim.permissionBoundaryPolicies = named('boundary', [c.permission_boundary])
  if (c.session_policy) sim.sessionPolicy = c.session_policy
  if (c.endpoint_policies && c.endpoint_policies.length) sim.vpcEndpointPolicies = named('endpoint', c.endpoint_policies)
  return sim
}

const DECISION = { Allowed: 'allow', ExplicitlyDenied: 'explicit_deny', ImplicitlyDenied: 'implicit_deny' }

function summary(r) {
  if (r.resultType === 'error') return { error: JSON.stringify(r.errors) }
  if (r.resultType !== 'single') return { error: `unexpected result type ${r.resultType}` }
  const a = r.result.analysis
  return {
    decision: DECISION[r.overallResult] || `unknown:${r.overallResult}`,
    ignored: r.result.ignoredContextKeys || [],
    a: {
      identity: a.identityAnalysis?.result,
      resource: a.resourceAnalysis?.result,
      session: a.sessionAnalysis?.result,
      boundary: a.permissionBoundaryAnalysis?.result,
      scp: a.scpAnalysis?.result,
      rcp: a.rcpAnalysis?.result,
      endpoint: a.endpointAnalysis?.result,
      blockedBy: a.blockedBy || []
    }
  }
}

const cases = JSON.parse(readFileSync(casesFile, 'utf8'))
const sims = cases.map(toSimulation)

if (flag === '--bench') {
  const rounds = Math.max(1, Number(roundsArg) || 1)
  const timed = async (fn) => {
    await fn() // warm-up: JIT, iam-data cache
    const t0 = performance.now()
    for (let r = 0; r < rounds; r++) await fn()
    return (performance.now() - t0) / 1000
  }
  const viaRun = []
  const runSeconds = await timed(async () => {
    viaRun.length = 0
    for (const s of sims) viaRun.push((await runSimulation(s, {})).overallResult)
  })
  // The simulator's engine alone: what runSimulation hands to authorize(), built once per
  // request outside the timed loop (policies parsed, context normalized), as bench/iam_bench.c
  // does for ansim. These are the package's internal modules, loaded by file path.
  const dist = path.join(path.resolve(simDir), 'node_modules/@cloud-copilot/iam-simulate/dist/cjs')
  const internal = (f) => require(path.join(dist, f))
  const { authorize } = internal('core_engine/CoreSimulatorEngine.js')
  const { AwsRequestImpl } = internal('request/request.js')
  const { RequestContextImpl } = internal('requestContext.js')
  const { DiscoveryContextKeyConstraints } = internal('context_keys/discoveryContextKeyConstraints.js')
  const { normalizeSimulationParameters } = internal('simulation_engine/simulationEngine.js')
  const { expandShortArn } = internal('util/resourceStrings.js')
  const { isWildcardOnlyAction } = require('@cloud-copilot/iam-simulate')
  const { loadPolicy } = require('@cloud-copilot/iam-policy')
  const full = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }
  const load = (list) => (list || []).map((p) => loadPolicy(p.policy, { name: p.name }))
  const org = (lvls, extra) =>
    lvls.map((l) => ({ orgIdentifier: l.orgIdentifier, policies: [...extra(), ...load(l.policies)] }))
  const prepared = []
  for (const s of sims) {
    const [service, action] = s.request.action.split(':')
    const { validContextValues } = await normalizeSimulationParameters(s, undefined)
    prepared.push({
      request: new AwsRequestImpl(s.request.principal, { resource: expandShortArn(s.request.resource.resource),
        accountId: s.request.resource.accountId }, s.request.action, new RequestContextImpl(validContextValues),
        await isWildcardOnlyAction(service, action)),
      sessionPolicy: s.sessionPolicy ? loadPolicy(s.sessionPolicy, { name: 'SessionPolicy' }) : undefined,
      identityPolicies: load(s.identityPolicies),
      serviceControlPolicies: org(s.serviceControlPolicies, () => []),
      resourceControlPolicies: org(s.resourceControlPolicies, () => [loadPolicy(full, { name: 'RCPFullAWSAccess' })]),
      resourcePolicy: s.resourcePolicy ? loadPolicy(s.resourcePolicy, { name: 'ResourcePolicy' }) : undefined,
      permissionBoundaries: s.permissionBoundaryPolicies ? load(s.permissionBoundaryPolicies) : undefined,
      vpcEndpointPolicies: s.vpcEndpointPolicies ? load(s.vpcEndpointPolicies) : undefined,
      simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
      serviceSettings: { s3: { blockPublicAccess: undefined } }
    })
  }
  const viaCore = []
  const coreSeconds = await timed(() => {
    viaCore.length = 0
    for (const p of prepared) viaCore.push(authorize(p).result)
  })
  const same = viaCore.filter((d, i) => d === viaRun[i]).length
  console.log(JSON.stringify({ requests: sims.length, rounds, run_simulation_seconds: runSeconds,
    core_seconds: coreSeconds, core_agrees_with_run_simulation: same }))
} else {
  const out = []
  for (const s of sims) {
    let line
    try {
      line = summary(await runSimulation(s, {}))
    } catch (e) {
      line = { error: `exception: ${e && e.message}` }
    }
    out.push(JSON.stringify(line))
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''))
}
