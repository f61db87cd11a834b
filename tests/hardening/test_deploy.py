"""Deployment: the Kubernetes manifests (validated offline against the Kubernetes schemas that
kubernetes-validate bundles), the Dockerfile, the lock file and the runtime dependencies.

No Docker engine or cluster is needed: the image cannot be built here, so its Dockerfile is
checked for what docs/deploy.md promises.
"""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
#: The Kubernetes version the manifests are written for (a version kubernetes-validate knows).
KUBERNETES = "1.30.0"


def _documents() -> list[dict[str, Any]]:
    documents = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text("utf-8")):
            if document:
                documents.append(document)
    return documents


def _by_kind() -> dict[str, dict[str, Any]]:
    return {document["kind"]: document for document in _documents()}


def test_manifests_pass_the_kubernetes_schemas() -> None:
    checked = []
    for document in _documents():
        if document["apiVersion"].startswith("kustomize.config.k8s.io/"):
            continue  # kustomize's own file, not a Kubernetes resource
        kubernetes_validate.validate(document, KUBERNETES, strict=True)
        checked.append(document["kind"])
    assert sorted(checked) == [
        "Deployment",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Service",
    ]


def test_the_validator_catches_a_broken_manifest() -> None:
    broken = _by_kind()["Deployment"]
    broken["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "eight"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)
    unknown = _by_kind()["Service"]
    unknown["spec"]["portz"] = []
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(unknown, KUBERNETES, strict=True)


def test_deployment_probes_resources_and_security() -> None:
    kinds = _by_kind()
    deployment = kinds["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    (container,) = pod["containers"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    port = container["ports"][0]
    assert str(port["containerPort"]) == env["TELNORM_PORT"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": port["name"]}
    assert container["readinessProbe"]["httpGet"] == {
        "path": "/health/ready",
        "port": port["name"],
    }
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) & set(resources["limits"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert "/tmp" in {mount["mountPath"] for mount in container["volumeMounts"]}
    # the parse timeout fits in the grace period
    assert pod["terminationGracePeriodSeconds"] > 120


def test_service_hpa_and_pdb_point_at_the_deployment() -> None:
    kinds = _by_kind()
    labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert kinds["Service"]["spec"]["selector"].items() <= labels.items()
    assert kinds["Service"]["spec"]["ports"][0]["targetPort"] == "http"
    assert kinds["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    target = kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == (
        "Deployment",
        kinds["Deployment"]["metadata"]["name"],
    )
    hpa = kinds["HorizontalPodAutoscaler"]["spec"]
    assert hpa["minReplicas"] >= 2 > kinds["PodDisruptionBudget"]["spec"]["minAvailable"]
    kustomization = kinds["Kustomization"]
    assert sorted(kustomization["resources"]) == sorted(
        p.name for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml"
    )


# --- the image -----------------------------------------------------------------------------


def _dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text("utf-8")
    text = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_dockerfile_pins_the_base_image() -> None:
    lines = _dockerfile()
    image = next(line.split("=", 1)[1] for line in lines if line.startswith("ARG PYTHON_IMAGE="))
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", image), image
    assert "FROM ${PYTHON_IMAGE}" in lines


def test_dockerfile_installs_the_lock_in_its_own_layer() -> None:
    lines = _dockerfile()
    copy_lock = lines.index("COPY requirements.lock ./")
    install = next(i for i, line in enumerate(lines) if "-r requirements.lock" in line)
    first_code = min(i for i, line in enumerate(lines) if re.match(r"COPY (parsers|service)", line))
    assert copy_lock < install < first_code
    assert "--require-hashes" in lines[install]
    code_install = next(i for i, line in enumerate(lines) if "pip install" in line and i > install)
    assert "--no-deps" in lines[code_install]


def test_dockerfile_runs_as_non_root_with_a_healthcheck_on_the_configured_port() -> None:
    lines = _dockerfile()
    user = next(line for line in lines if line.startswith("USER "))
    assert user.split()[1].split(":")[0] not in ("0", "root")
    health = next(line for line in lines if line.startswith("HEALTHCHECK"))
    assert "TELNORM_PORT" in health and "/health/live" in health
    assert ":8000" not in health


def _locked() -> dict[str, str]:
    versions = {}
    for line in (ROOT / "requirements.lock").read_text("utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", line)
        if match:
            versions[canonicalize_name(match.group(1))] = match.group(2)
    return versions


def _project() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return project


def test_lock_pins_every_runtime_dependency_with_hashes() -> None:
    locked = _locked()
    text = (ROOT / "requirements.lock").read_text("utf-8")
    for requirement in map(Requirement, _project()["dependencies"]):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock: run pip-compile (docs)"
        assert requirement.specifier.contains(locked[name]), (name, locked[name])
    for entry in re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M):
        assert re.search(
            rf"^{re.escape(entry)}==\S+ \\\n(\s+--hash=sha256:[0-9a-f]{{64}}( \\)?\n)+",
            text,
            re.M,
        ), f"{entry} has no hash"
    assert "openpyxl" not in locked  # dev only


# --- runtime dependencies are what runtime code imports ------------------------------------


def _runtime_imports() -> set[str]:
    """Top-level modules imported by the runtime code (parsers/testing is the [testing]
    extra, not runtime)."""
    names: set[str] = set()
    for folder in ("parsers", "service", "mappings"):
        for path in (ROOT / folder).rglob("*.py"):
            if "testing" in path.relative_to(ROOT).parts:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    return names


#: Runtime dependencies used through another package, not imported by name.
INDIRECT = {
    "python-multipart": "starlette reads multipart forms with it",
    "jinja2": "the web pages render through fastapi.templating (service/web)",
}


def test_runtime_dependencies_are_what_runtime_imports() -> None:
    distributions = packages_distributions()
    imported = {
        canonicalize_name(dist)
        for module in _runtime_imports()
        for dist in distributions.get(module, ())
    }
    imported.discard("telnorm")
    declared = {canonicalize_name(Requirement(d).name) for d in _project()["dependencies"]}
    assert declared - imported <= set(INDIRECT), f"declared, never imported: {declared - imported}"
    # fastapi brings starlette, pydantic and anyio; jinja2 brings markupsafe; the pdf
    # parser's libraries are the optional extra `pdf` (pdfplumber on pdfminer.six, with
    # pypdfium2), imported only when a PDF is read
    extra = {
        canonicalize_name(Requirement(d).name)
        for d in _project().get("optional-dependencies", {}).get("pdf", ())
    }
    brought = {"starlette", "anyio", "markupsafe", "pdfminer-six", "pypdfium2"}
    assert imported - declared - extra <= brought, imported - declared - extra
