#!/usr/bin/env python3
"""Offline check of the apq Kubernetes manifests (deploy/k8s).

    python3 deploy/k8s/validate.py                    # base + production overlay

Needs `kubectl` (its built-in kustomize, v5 or newer), PyYAML and kubernetes-validate (the
venv .data/venv has both: deploy/test installs `kubernetes-validate pyyaml` there and checks
that kubectl is present).

1. Renders each kustomization with `kubectl kustomize` (the real kustomize, no subset of ours).
2. Validates every rendered document: built-in kinds with kubernetes-validate against the
   pinned Kubernetes version, strict (unknown fields rejected); CloudNativePG kinds (no schema
   bundled with any offline tool) against the minimal schemas embedded below. Any other kind
   is an error.
3. Checks what no schema validator checks, the cross-references: Service selectors and target
   ports, Ingress backends, HPA and PDB targets, Deployment selectors, ConfigMap/Secret/PVC
   references of every pod template, probe ports, volume mounts, CNPG Database -> Cluster and
   owner role, CNPG secrets; Secrets are never rendered with literal values: they must be in
   EXTERNAL_SECRETS (created outside the repository, see deploy/README.md) and no env value
   may carry a credential.

Prints one line per document checked and exits 1 with the list of errors, if any.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("validate.py needs PyYAML: .data/venv/bin/pip install pyyaml")
try:
    import kubernetes_validate
    import kubernetes_validate.utils as kv_utils
except ImportError:  # pragma: no cover
    sys.exit("validate.py needs kubernetes-validate: .data/venv/bin/pip install kubernetes-validate")
import jsonschema  # a dependency of kubernetes-validate

HERE = Path(__file__).resolve().parent
KUBERNETES_VERSION = "1.30.0"
# The oldest kustomize that knows every field the kustomizations use (`labels`, `patches`).
KUSTOMIZE_MAJOR = 5
TARGETS = [HERE / "base", HERE / "overlays" / "production"]

# Secrets the manifests reference but never contain: created out of band (kubectl create
# secret, External Secrets, Sealed Secrets...), see deploy/README.md. name -> keys used.
EXTERNAL_SECRETS: dict[str, set[str]] = {
    # kubernetes.io/basic-auth: `username`/`password` for the CNPG managed role, `url` for the service.
    "apq-agreements-db": {"username", "password", "url"},
    "apq-catalogue-db": {"username", "password", "url"},
    "apq-adhesion-db": {"username", "password", "url"},
    "apq-monitoring-db": {"username", "password", "url"},
    # The JWT issuer's Ed25519 public key (public, but managed with the key pair).
    "apq-jwt-public-key": {"public.pem"},
    # A bearer token with the `sync` role for apq-intese-sync.
    "apq-sync-token": {"token"},
    # Object-storage credentials for CNPG's barman backups.
    "apq-db-backup-s3": {"ACCESS_KEY_ID", "ACCESS_SECRET_KEY"},
    # The Ingress certificate (kubernetes.io/tls).
    "apq-tls": {"tls.crt", "tls.key"},
}

CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "IngressClass", "PriorityClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
}
WORKLOAD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


class RenderError(Exception):
    pass


# ------------------------------------------------------------------------------------ render

def kubectl() -> str:
    """The kubectl whose built-in kustomize renders the manifests (v5 or newer)."""
    path = shutil.which("kubectl")
    if path is None:
        raise RenderError("kubectl not found (./deploy/test checks it; see deploy/README.md)")
    out = subprocess.run([path, "version", "--client"], capture_output=True, text=True)
    found = re.search(r"Kustomize Version: (v(\d+)\.\S*)", out.stdout)
    if found is None or int(found.group(2)) < KUSTOMIZE_MAJOR:
        raise RenderError(f"kubectl's kustomize is older than v{KUSTOMIZE_MAJOR}: {out.stdout.strip()!r}")
    return path, found.group(1)


def render(directory: Path) -> list[dict]:
    """The documents `kubectl kustomize` renders from a kustomization directory."""
    out = subprocess.run([kubectl()[0], "kustomize", str(directory)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory}: {out.stderr.strip()}")
    try:
        docs = [d for d in yaml.safe_load_all(out.stdout) if d is not None]
    except yaml.YAMLError as e:
        raise RenderError(f"kubectl kustomize {directory}: invalid YAML: {e}") from e
    if not all(isinstance(d, dict) for d in docs):
        raise RenderError(f"kubectl kustomize {directory}: a document is not a mapping")
    return docs


# ---------------------------------------------------------------------- CloudNativePG schemas

NAME = {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
        "maxLength": 253}
QUANTITY = {"anyOf": [{"type": "integer"},
                      {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$"}]}
LOCAL_REF = {"type": "object", "required": ["name"], "additionalProperties": False,
             "properties": {"name": NAME}}
KEY_REF = {"type": "object", "required": ["name", "key"], "additionalProperties": False,
           "properties": {"name": NAME, "key": {"type": "string", "minLength": 1}}}
RESOURCES = {"type": "object", "additionalProperties": False,
             "properties": {"requests": {"type": "object", "additionalProperties": QUANTITY},
                            "limits": {"type": "object", "additionalProperties": QUANTITY},
                            "claims": {"type": "array"}}}
STORAGE = {"type": "object", "additionalProperties": False,
           "properties": {"size": QUANTITY, "storageClass": {"type": "string"},
                          "resizeInUseVolumes": {"type": "boolean"}, "pvcTemplate": {"type": "object"}}}
COMPRESSION = {"enum": ["gzip", "bzip2", "snappy", "lz4", "xz", "zstd"]}
OBJECT_META = {"type": "object", "required": ["name"],
               "properties": {"name": NAME, "namespace": NAME,
                              "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                              "annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}


def cnpg_document(kind: str, spec: dict) -> dict:
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {"apiVersion": {"const": "postgresql.cnpg.io/v1"}, "kind": {"const": kind},
                       "metadata": OBJECT_META, "spec": spec},
    }


ROLE = {
    "type": "object", "required": ["name"], "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-z_][a-z0-9_]*$"},
        "comment": {"type": "string"}, "ensure": {"enum": ["present", "absent"]},
        "passwordSecret": LOCAL_REF, "disablePassword": {"type": "boolean"},
        "connectionLimit": {"type": "integer", "minimum": -1}, "validUntil": {"type": "string"},
        "inRoles": {"type": "array", "items": {"type": "string"}},
        **{flag: {"type": "boolean"} for flag in
           ("inherit", "superuser", "createdb", "createrole", "login", "replication", "bypassrls")},
    },
}
CLUSTER_SCHEMA = cnpg_document("Cluster", {
    "type": "object",
    "required": ["instances", "storage"],
    "additionalProperties": False,
    "properties": {
        "instances": {"type": "integer", "minimum": 1},
        "imageName": {"type": "string", "pattern": r"^[^\s:]+(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$"},
        "imagePullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
        "primaryUpdateStrategy": {"enum": ["unsupervised", "supervised"]},
        "primaryUpdateMethod": {"enum": ["switchover", "restart"]},
        "enableSuperuserAccess": {"type": "boolean"},
        "postgresql": {"type": "object", "properties": {
            "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
            "pg_hba": {"type": "array", "items": {"type": "string"}}}},
        "storage": {**STORAGE, "required": ["size"]},
        "walStorage": {**STORAGE, "required": ["size"]},
        "resources": RESOURCES,
        "monitoring": {"type": "object"},
        "affinity": {"type": "object"},
        "bootstrap": {"type": "object"},
        "superuserSecret": LOCAL_REF,
        "description": {"type": "string"}, "inheritedMetadata": {"type": "object"},
        "imageCatalogRef": {"type": "object"}, "schedulerName": {"type": "string"},
        "postgresUID": {"type": "integer"}, "postgresGID": {"type": "integer"},
        "minSyncReplicas": {"type": "integer"}, "maxSyncReplicas": {"type": "integer"},
        "replicationSlots": {"type": "object"}, "replica": {"type": "object"},
        "certificates": {"type": "object"}, "imagePullSecrets": {"type": "array"},
        "serviceAccountTemplate": {"type": "object"}, "ephemeralVolumeSource": {"type": "object"},
        "startDelay": {"type": "integer"}, "stopDelay": {"type": "integer"},
        "smartShutdownTimeout": {"type": "integer"}, "switchoverDelay": {"type": "integer"},
        "failoverDelay": {"type": "integer"}, "livenessProbeTimeout": {"type": "integer"},
        "topologySpreadConstraints": {"type": "array"}, "ephemeralVolumesSizeLimit": {"type": "object"},
        "priorityClassName": {"type": "string"}, "nodeMaintenanceWindow": {"type": "object"},
        "externalClusters": {"type": "array"}, "logLevel": {"type": "string"},
        "projectedVolumeTemplate": {"type": "object"}, "env": {"type": "array"},
        "envFrom": {"type": "array"}, "seccompProfile": {"type": "object"},
        "tablespaces": {"type": "array"}, "enablePDB": {"type": "boolean"},
        "plugins": {"type": "array"}, "probes": {"type": "object"},
        "managed": {"type": "object", "additionalProperties": False, "properties": {
            "roles": {"type": "array", "items": ROLE},
            "services": {"type": "object"}}},
        "backup": {"type": "object", "additionalProperties": False, "properties": {
            "retentionPolicy": {"type": "string", "pattern": r"^[1-9][0-9]*[dwm]$"},
            "target": {"enum": ["primary", "prefer-standby"]},
            "volumeSnapshot": {"type": "object"},
            "barmanObjectStore": {
                "type": "object", "required": ["destinationPath"], "additionalProperties": False,
                "properties": {
                    "destinationPath": {"type": "string", "pattern": r"^(s3|gs|https?)://"},
                    "endpointURL": {"type": "string", "pattern": r"^https?://"},
                    "serverName": {"type": "string"},
                    "endpointCA": KEY_REF,
                    "s3Credentials": {"type": "object", "additionalProperties": False, "properties": {
                        "accessKeyId": KEY_REF, "secretAccessKey": KEY_REF, "region": KEY_REF,
                        "sessionToken": KEY_REF, "inheritFromIAMRole": {"type": "boolean"}}},
                    "azureCredentials": {"type": "object"}, "googleCredentials": {"type": "object"},
                    "wal": {"type": "object", "additionalProperties": False, "properties": {
                        "compression": COMPRESSION, "encryption": {"enum": ["AES256", "aws:kms"]},
                        "maxParallel": {"type": "integer", "minimum": 1},
                        "archiveAdditionalCommandArgs": {"type": "array"},
                        "restoreAdditionalCommandArgs": {"type": "array"}}},
                    "data": {"type": "object", "additionalProperties": False, "properties": {
                        "compression": COMPRESSION, "encryption": {"enum": ["AES256", "aws:kms"]},
                        "immediateCheckpoint": {"type": "boolean"}, "jobs": {"type": "integer"},
                        "additionalCommandArgs": {"type": "array"}}},
                    "tags": {"type": "object"}, "historyTags": {"type": "object"},
                }},
        }},
    },
})
DATABASE_SCHEMA = cnpg_document("Database", {
    "type": "object",
    "required": ["name", "owner", "cluster"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-z_][a-z0-9_]*$"},
        "owner": {"type": "string", "pattern": r"^[a-z_][a-z0-9_]*$"},
        "cluster": LOCAL_REF,
        "ensure": {"enum": ["present", "absent"]},
        "databaseReclaimPolicy": {"enum": ["retain", "delete"]},
        "template": {"type": "string"}, "encoding": {"type": "string"}, "locale": {"type": "string"},
        "localeProvider": {"type": "string"}, "lcCollate": {"type": "string"},
        "lcCtype": {"type": "string"}, "icuLocale": {"type": "string"}, "icuRules": {"type": "string"},
        "builtinLocale": {"type": "string"}, "collationVersion": {"type": "string"},
        "isTemplate": {"type": "boolean"}, "allowConnections": {"type": "boolean"},
        "connectionLimit": {"type": "integer", "minimum": -1}, "tablespace": {"type": "string"},
        "schemas": {"type": "array"}, "extensions": {"type": "array"},
    },
})
SCHEDULED_BACKUP_SCHEMA = cnpg_document("ScheduledBackup", {
    "type": "object",
    "required": ["schedule", "cluster"],
    "additionalProperties": False,
    "properties": {
        # six fields: seconds first
        "schedule": {"type": "string", "pattern": r"^\S+( \S+){5}$"},
        "cluster": LOCAL_REF,
        "suspend": {"type": "boolean"}, "immediate": {"type": "boolean"},
        "backupOwnerReference": {"enum": ["none", "self", "cluster"]},
        "method": {"enum": ["barmanObjectStore", "volumeSnapshot", "plugin"]},
        "target": {"enum": ["primary", "prefer-standby"]},
        "online": {"type": "boolean"}, "onlineConfiguration": {"type": "object"},
        "pluginConfiguration": {"type": "object"},
    },
})
CNPG_SCHEMAS = {"Cluster": CLUSTER_SCHEMA, "Database": DATABASE_SCHEMA,
                "ScheduledBackup": SCHEDULED_BACKUP_SCHEMA}


# ------------------------------------------------------------------------------ validation

def doc_id(doc: dict) -> str:
    meta = doc.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{doc.get('apiVersion')} {doc.get('kind')} {ns + '/' if ns else ''}{meta.get('name')}"


def validate_schema(doc: dict) -> tuple[str | None, str]:
    """(error or None, what was checked)."""
    if str(doc.get("apiVersion", "")).startswith("postgresql.cnpg.io/"):
        schema = CNPG_SCHEMAS.get(doc.get("kind"))
        if schema is None:
            return f"no embedded schema for CloudNativePG kind {doc.get('kind')}", "-"
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc),
                        key=lambda e: list(e.absolute_path))
        if errors:
            return "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                             for e in errors), "embedded CNPG schema"
        return None, "embedded CNPG schema"
    try:
        version = kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        return None, f"kubernetes {version} strict schema"
    except kubernetes_validate.ValidationError as e:
        # a jsonschema.ValidationError carrying the first failure (path and message)
        path = "/".join(map(str, e.absolute_path)) or "<root>"
        return f"{path}: {e.message}", f"kubernetes {KUBERNETES_VERSION} strict schema"
    except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as e:
        return e.message, "-"


def pod_templates(doc: dict) -> list[tuple[str, dict, dict]]:
    """(where, pod template metadata, pod spec) of a workload."""
    spec = doc.get("spec") or {}
    kind = doc.get("kind")
    if kind in WORKLOAD_TEMPLATE_KINDS:
        t = spec.get("template") or {}
        return [("spec.template", t.get("metadata") or {}, t.get("spec") or {})]
    if kind == "CronJob":
        t = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
        return [("spec.jobTemplate.spec.template", t.get("metadata") or {}, t.get("spec") or {})]
    if kind == "Pod":
        return [("spec", doc.get("metadata") or {}, spec)]
    return []


def selector_matches(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


CREDENTIAL_RE = re.compile(r"(://[^/\s:@]+:[^@\s]+@)|(password|passwd|secret|token)\s*=", re.I)


def cross_check(docs: list[dict]) -> list[str]:
    errors: list[str] = []
    by_kind: dict[str, dict[tuple[str | None, str], dict]] = {}
    for d in docs:
        meta = d.get("metadata") or {}
        by_kind.setdefault(d.get("kind"), {})[(meta.get("namespace"), meta.get("name"))] = d

    def get(kind, ns, name):
        return by_kind.get(kind, {}).get((ns, name))

    def need_secret(ns, name, key, where):
        if get("Secret", ns, name) is not None:
            return
        if name not in EXTERNAL_SECRETS:
            errors.append(f"{where}: Secret {name} is neither rendered nor in EXTERNAL_SECRETS")
        elif key is not None and key not in EXTERNAL_SECRETS[name]:
            errors.append(f"{where}: key {key} of Secret {name} is not documented in EXTERNAL_SECRETS")

    def need_configmap(ns, name, key, where, optional=False):
        cm = get("ConfigMap", ns, name)
        if cm is None:
            if not optional:
                errors.append(f"{where}: ConfigMap {name} is not rendered")
        elif key is not None and key not in (cm.get("data") or {}) and not optional:
            errors.append(f"{where}: ConfigMap {name} has no key {key}")

    # Secrets: by reference only.
    for (ns, name), s in by_kind.get("Secret", {}).items():
        if s.get("data") or s.get("stringData"):
            errors.append(f"Secret {ns}/{name}: carries literal data/stringData; create it out of band "
                          "and list it in EXTERNAL_SECRETS")

    # Workloads.
    deployments = by_kind.get("Deployment", {})
    for d in docs:
        meta = d.get("metadata") or {}
        ns, name = meta.get("namespace"), meta.get("name")
        for where, tmeta, pod in pod_templates(d):
            here = f"{d['kind']} {ns}/{name}"
            labels = tmeta.get("labels") or {}
            if d["kind"] in WORKLOAD_TEMPLATE_KINDS - {"Job"}:
                sel = ((d.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
                if not selector_matches(sel, labels):
                    errors.append(f"{here}: spec.selector.matchLabels {sel} does not match {where} labels {labels}")
            volumes = {v.get("name"): v for v in pod.get("volumes") or []}
            for v in volumes.values():
                if "secret" in v:
                    for item in v["secret"].get("items") or [{"key": None}]:
                        need_secret(ns, v["secret"].get("secretName"), item.get("key"), f"{here} volume {v['name']}")
                if "configMap" in v:
                    for item in v["configMap"].get("items") or [{"key": None}]:
                        need_configmap(ns, v["configMap"].get("name"), item.get("key"),
                                       f"{here} volume {v['name']}", v["configMap"].get("optional", False))
                if "persistentVolumeClaim" in v:
                    claim = v["persistentVolumeClaim"].get("claimName")
                    if get("PersistentVolumeClaim", ns, claim) is None:
                        errors.append(f"{here} volume {v['name']}: PersistentVolumeClaim {claim} is not rendered")
            for ref in pod.get("imagePullSecrets") or []:
                need_secret(ns, ref.get("name"), None, f"{here} imagePullSecrets")
            for list_name in CONTAINER_LISTS:
                for c in pod.get(list_name) or []:
                    cw = f"{here} container {c.get('name')}"
                    if ":" not in (c.get("image") or "").rsplit("/", 1)[-1] and "@" not in (c.get("image") or ""):
                        errors.append(f"{cw}: image {c.get('image')!r} is not pinned by tag or digest")
                    port_names = {p.get("name") for p in c.get("ports") or [] if p.get("name")}
                    port_numbers = {p.get("containerPort") for p in c.get("ports") or []}
                    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                        port = ((c.get(probe) or {}).get("httpGet") or {}).get("port")
                        if port is not None and port not in port_names and port not in port_numbers:
                            errors.append(f"{cw}: {probe} port {port} is not a container port")
                    for m in c.get("volumeMounts") or []:
                        if m.get("name") not in volumes:
                            errors.append(f"{cw}: volumeMount {m.get('name')} names no volume")
                    for ef in c.get("envFrom") or []:
                        if "secretRef" in ef:
                            need_secret(ns, ef["secretRef"].get("name"), None, f"{cw} envFrom")
                        if "configMapRef" in ef:
                            need_configmap(ns, ef["configMapRef"].get("name"), None, f"{cw} envFrom",
                                           ef["configMapRef"].get("optional", False))
                    for e in c.get("env") or []:
                        vf = e.get("valueFrom") or {}
                        if "secretKeyRef" in vf:
                            need_secret(ns, vf["secretKeyRef"].get("name"), vf["secretKeyRef"].get("key"),
                                        f"{cw} env {e.get('name')}")
                        if "configMapKeyRef" in vf:
                            r = vf["configMapKeyRef"]
                            need_configmap(ns, r.get("name"), r.get("key"), f"{cw} env {e.get('name')}",
                                           r.get("optional", False))
                        value = e.get("value")
                        if isinstance(value, str) and CREDENTIAL_RE.search(value):
                            errors.append(f"{cw} env {e.get('name')}: literal credential; use a secretKeyRef")
                        if e.get("name") in ("APQ_DATABASE__URL", "APQ_SYNC_TOKEN") and "secretKeyRef" not in vf:
                            errors.append(f"{cw} env {e.get('name')}: must come from a secretKeyRef")

    # ConfigMaps must not hide credentials either.
    for (ns, name), cm in by_kind.get("ConfigMap", {}).items():
        for key, value in (cm.get("data") or {}).items():
            if key in ("APQ_DATABASE__URL", "APQ_SYNC_TOKEN") or (isinstance(value, str) and CREDENTIAL_RE.search(value)):
                errors.append(f"ConfigMap {ns}/{name} key {key}: credentials belong in a Secret")

    def pods_of(ns, selector):
        return [(n, dep) for (dns, n), dep in deployments.items()
                if dns == ns and selector_matches(selector, ((dep["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {})]

    # Services.
    for (ns, name), svc in by_kind.get("Service", {}).items():
        selector = (svc.get("spec") or {}).get("selector") or {}
        matched = pods_of(ns, selector)
        if not matched:
            errors.append(f"Service {ns}/{name}: selector {selector} matches no Deployment's pod labels")
            continue
        for p in (svc.get("spec") or {}).get("ports") or []:
            target = p.get("targetPort", p.get("port"))
            for dname, dep in matched:
                ports = [cp for c in dep["spec"]["template"]["spec"].get("containers") or []
                         for cp in c.get("ports") or []]
                if target not in {cp.get("name") for cp in ports} | {cp.get("containerPort") for cp in ports}:
                    errors.append(f"Service {ns}/{name} port {p.get('name')}: targetPort {target} "
                                  f"is not a container port of Deployment {dname}")

    # Ingresses.
    for (ns, name), ing in by_kind.get("Ingress", {}).items():
        spec = ing.get("spec") or {}
        backends = []
        if spec.get("defaultBackend"):
            backends.append(("defaultBackend", spec["defaultBackend"]))
        hosts = set()
        for rule in spec.get("rules") or []:
            hosts.add(rule.get("host"))
            for path in (rule.get("http") or {}).get("paths") or []:
                backends.append((f"{rule.get('host')}{path.get('path')}", path.get("backend") or {}))
        for where, backend in backends:
            ref = backend.get("service")
            if not ref:
                errors.append(f"Ingress {ns}/{name} {where}: backend has no service")
                continue
            svc = get("Service", ns, ref.get("name"))
            if svc is None:
                errors.append(f"Ingress {ns}/{name} {where}: Service {ref.get('name')} is not rendered")
                continue
            port = ref.get("port") or {}
            ports = svc["spec"].get("ports") or []
            if "number" in port and port["number"] not in {p.get("port") for p in ports}:
                errors.append(f"Ingress {ns}/{name} {where}: Service {ref.get('name')} has no port {port['number']}")
            if "name" in port and port["name"] not in {p.get("name") for p in ports}:
                errors.append(f"Ingress {ns}/{name} {where}: Service {ref.get('name')} has no port named {port['name']}")
        for tls in spec.get("tls") or []:
            need_secret(ns, tls.get("secretName"), None, f"Ingress {ns}/{name} tls")
            for h in tls.get("hosts") or []:
                if h not in hosts:
                    errors.append(f"Ingress {ns}/{name}: tls host {h} has no rule")

    # Autoscalers and disruption budgets.
    for (ns, name), hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
        spec = hpa.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        dep = get(ref.get("kind"), ns, ref.get("name")) if ref.get("kind") == "Deployment" else None
        if dep is None:
            errors.append(f"HorizontalPodAutoscaler {ns}/{name}: target {ref.get('kind')} {ref.get('name')} is not a rendered Deployment")
            continue
        lo, hi = spec.get("minReplicas", 1), spec.get("maxReplicas")
        if hi is None or lo > hi:
            errors.append(f"HorizontalPodAutoscaler {ns}/{name}: minReplicas {lo} > maxReplicas {hi}")
        replicas = (dep.get("spec") or {}).get("replicas", 1)
        if hi is not None and not lo <= replicas <= hi:
            errors.append(f"HorizontalPodAutoscaler {ns}/{name}: Deployment replicas {replicas} outside [{lo}, {hi}]")
    for (ns, name), pdb in by_kind.get("PodDisruptionBudget", {}).items():
        selector = ((pdb.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        matched = pods_of(ns, selector)
        if not matched:
            errors.append(f"PodDisruptionBudget {ns}/{name}: selector {selector} matches no Deployment")
        min_available = (pdb.get("spec") or {}).get("minAvailable")
        for dname, dep in matched:
            hpa_min = min([h["spec"].get("minReplicas", 1) for (hns, _), h in by_kind.get("HorizontalPodAutoscaler", {}).items()
                           if hns == ns and h["spec"]["scaleTargetRef"].get("name") == dname] or [dep["spec"].get("replicas", 1)])
            if isinstance(min_available, int) and min_available >= hpa_min:
                errors.append(f"PodDisruptionBudget {ns}/{name}: minAvailable {min_available} would block every "
                              f"drain of Deployment {dname} (minimum {hpa_min} replicas)")

    # CloudNativePG.
    clusters = by_kind.get("Cluster", {})
    for (ns, name), cluster in clusters.items():
        spec = cluster.get("spec") or {}
        for role in (spec.get("managed") or {}).get("roles") or []:
            if role.get("passwordSecret"):
                need_secret(ns, role["passwordSecret"]["name"], "password", f"Cluster {ns}/{name} role {role.get('name')}")
        bos = (spec.get("backup") or {}).get("barmanObjectStore") or {}
        for cred in ((bos.get("s3Credentials") or {}).values()):
            if isinstance(cred, dict):
                need_secret(ns, cred.get("name"), cred.get("key"), f"Cluster {ns}/{name} backup credentials")
    for (ns, name), db in by_kind.get("Database", {}).items():
        spec = db.get("spec") or {}
        cname = (spec.get("cluster") or {}).get("name")
        cluster = clusters.get((ns, cname))
        if cluster is None:
            errors.append(f"Database {ns}/{name}: Cluster {cname} is not rendered")
            continue
        roles = {r.get("name") for r in ((cluster["spec"].get("managed") or {}).get("roles") or [])
                 if r.get("ensure", "present") == "present"}
        if spec.get("owner") not in roles:
            errors.append(f"Database {ns}/{name}: owner {spec.get('owner')} is not a managed role of Cluster {cname}")
    for (ns, name), sb in by_kind.get("ScheduledBackup", {}).items():
        cname = ((sb.get("spec") or {}).get("cluster") or {}).get("name")
        if (ns, cname) not in clusters:
            errors.append(f"ScheduledBackup {ns}/{name}: Cluster {cname} is not rendered")

    # Every namespaced object lives in a rendered Namespace.
    namespaces = {n for (_, n) in by_kind.get("Namespace", {})}
    for d in docs:
        ns = (d.get("metadata") or {}).get("namespace")
        if d.get("kind") not in CLUSTER_SCOPED and ns not in namespaces:
            errors.append(f"{doc_id(d)}: namespace {ns!r} is not rendered")
    return errors


# ----------------------------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", type=Path, help="kustomization directories (default: base, production)")
    args = parser.parse_args()

    bundled = sorted(set(kv_utils.all_versions()), key=lambda v: tuple(int(x) for x in v.split(".")))
    if kv_utils.major_minor(KUBERNETES_VERSION) not in {kv_utils.major_minor(v) for v in bundled}:
        print(f"error: kubernetes-validate {kubernetes_validate.__version__} bundles {bundled}, "
              f"not {KUBERNETES_VERSION}", file=sys.stderr)
        return 1
    try:
        print(f"kubectl kustomize {kubectl()[1]}")
    except RenderError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"kubernetes-validate {kubernetes_validate.__version__}, schemas for Kubernetes "
          f"{KUBERNETES_VERSION} (strict); bundled {bundled[0]}..{bundled[-1]}")

    all_errors: list[str] = []
    total = 0
    for target in args.targets or TARGETS:
        target = target.resolve()
        label = os.path.relpath(target, Path.cwd())
        print(f"== {label}")
        try:
            docs = render(target)
        except RenderError as e:
            all_errors.append(f"{label}: {e}")
            print(f"FAIL render: {e}")
            continue
        errors: list[str] = []
        for d in docs:
            total += 1
            err, how = validate_schema(d)
            if err:
                errors.append(f"{doc_id(d)}: {err}")
                print(f"FAIL {doc_id(d)} ({how}): {err}")
            else:
                print(f"ok   {doc_id(d)} ({how})")
        xerrors = cross_check(docs)
        for e in xerrors:
            print(f"FAIL cross-reference: {e}")
        errors += xerrors
        print(f"   {label}: {len(docs)} documents, cross-references "
              f"{'ok' if not xerrors else f'{len(xerrors)} errors'}")
        all_errors += [f"{label}: {e}" for e in errors]

    if all_errors:
        print(f"\n{len(all_errors)} error(s):", file=sys.stderr)
        for e in all_errors:
            print(f"  - {e}", file=sys.stderr)
        return 1
    print(f"\nall {total} documents valid; secrets by reference only "
          f"(external: {', '.join(sorted(EXTERNAL_SECRETS))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
