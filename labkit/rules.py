"""Method rules: what a student's function or class must not use, read from its source without running it.

Where a lab asks students to build something a library already has (an Adam, a closed-form gradient, a closed form
instead of a loop), a wrong solution can pass every behavioural case by calling the library. A rule names what the
target may not use; :func:`broken_rules` reads the module's source with `ast` and says which rules it breaks.

Names are resolved through the module's imports and simple aliases (`from torch import optim as o`, `A = o.Adam`),
and the search follows the target into the module's own functions and classes that it uses, so moving the call into
a helper does not hide it. Dynamic lookups that the source cannot show (`getattr` with a computed name, `eval`,
`exec`, `__import__`, `importlib`) break every rule that forbids names. The grader runs this outside the student's
kernel on the submitted file; `labkit.grading.check` runs it on the student's machine too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

_DYNAMIC = {"eval", "exec", "compile", "__import__", "importlib", "globals", "vars", "locals"}
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(frozen=True)
class Rule:
    """`target` (a top-level function or class of the lab module) must be defined there, and must not use:

    - `names`: dotted names, after resolving imports (`"torch.optim.Adam"` also forbids `torch.optim.Adam.step`);
    - `attributes`: attribute, method or keyword names on any object (`"backward"`, `"grad"`, `"requires_grad"`);
    - `loops`: for/while loops and comprehensions, where a closed form is asked.

    `requires` lists names of which it must use at least one (`"torch.linalg.matrix_power"`). `text` is the rule as
    the feedback states it, in the student's words: "build Adam yourself: no torch.optim.Adam"."""

    target: str
    text: str
    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    loops: bool = False
    requires: tuple[str, ...] = ()


def no_library(target: str, *names: str, text: str | None = None) -> Rule:
    return Rule(target, text or f"{target} must be your own code: it may not use {', '.join(names)}", names=names)


def no_autograd(target: str, text: str | None = None) -> Rule:
    return Rule(target, text or f"{target} is asked in closed form: no autograd (backward, torch.autograd, .grad)",
                names=("torch.autograd", "torch.func", "functorch"),
                attributes=("backward", "grad", "requires_grad", "requires_grad_", "enable_grad"))


def no_loops(target: str, text: str | None = None) -> Rule:
    return Rule(target, text or f"{target} is asked in closed form: no loop or comprehension", loops=True)


def broken_rules(source: str, rules: tuple[Rule, ...] | list[Rule]) -> list[str]:
    """The `text` of each rule the module source breaks, with what was found: one line each, in rule order."""
    if not rules:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"{rule.text} (the module does not parse: line {exc.lineno}: {exc.msg})" for rule in rules]
    module = _Module(tree)
    broken = []
    for rule in rules:
        problem = module.violation(rule)
        if problem:
            broken.append(f"{rule.text} ({problem})")
    return broken


class _Module:
    def __init__(self, tree: ast.Module) -> None:
        self.definitions: dict[str, ast.AST] = {}
        self.aliases: dict[str, str] = {}
        self.star_imports: list[str] = []
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.definitions[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        self.definitions.pop(t.id, None)
                        self.definitions[f"={t.id}"] = node.value
        self._collect_imports(tree)
        # Module-level aliases of names: A = torch.optim.Adam
        for key, value in list(self.definitions.items()):
            if key.startswith("=") and (dotted := self._dotted(value)) is not None:
                self.aliases[key[1:]] = dotted

    def _collect_imports(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if a.name == "*":
                        self.star_imports.append(node.module)
                    else:
                        self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"

    def _dotted(self, node: ast.AST) -> str | None:
        """`o.Adam` -> "torch.optim.Adam" through the aliases; None for anything but a name or attribute chain."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])

    def _scope(self, target: str) -> Iterator[tuple[str, ast.AST]]:
        """The target's definition and every module-level definition it reaches by name, each once."""
        seen, todo = set(), [target]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            node = self.definitions.get(name) or self.definitions.get(f"={name}")
            if node is None:
                continue
            yield name, node
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and (sub.id in self.definitions or f"={sub.id}" in self.definitions):
                    todo.append(sub.id)

    def violation(self, rule: Rule) -> str | None:
        if not isinstance(self.definitions.get(rule.target), (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return f"{rule.target} is not defined with def or class in the lab module"
        forbidden = tuple(rule.names)
        used_required = False
        for name, node in self._scope(rule.target):
            where = "" if name == rule.target else f" in {name}, which {rule.target} uses"
            for sub in ast.walk(node):
                if rule.loops and isinstance(sub, _LOOPS):
                    return f"a loop at line {sub.lineno}{where}"
                if isinstance(sub, (ast.Attribute, ast.Name)):
                    dotted = self._dotted(sub)
                    if dotted and rule.requires and _matches(dotted, rule.requires):
                        used_required = True
                    if dotted and forbidden and _matches(dotted, forbidden):
                        return f"uses {dotted} at line {sub.lineno}{where}"
                    if isinstance(sub, ast.Attribute) and sub.attr in rule.attributes:
                        return f"uses .{sub.attr} at line {sub.lineno}{where}"
                    if forbidden and isinstance(sub, ast.Name) and sub.id in _DYNAMIC:
                        return f"uses {sub.id} at line {sub.lineno}{where}, which hides what is called"
                    if forbidden and dotted and dotted.split(".")[0] == "importlib":
                        return f"uses {dotted} at line {sub.lineno}{where}, which hides what is called"
                if isinstance(sub, ast.keyword) and sub.arg in rule.attributes:
                    return f"passes {sub.arg}= at line {sub.value.lineno}{where}"
                if forbidden and isinstance(sub, ast.Call) and _is_dynamic_getattr(sub):
                    return f"getattr with a computed name at line {sub.lineno}{where}"
                if isinstance(sub, ast.Call) and _literal_getattr(sub):
                    obj = self._dotted(sub.args[0])
                    attr = sub.args[1].value  # type: ignore[attr-defined]
                    dotted = f"{obj}.{attr}" if obj else None
                    if dotted and forbidden and _matches(dotted, forbidden):
                        return f"uses {dotted} at line {sub.lineno}{where}"
                    if attr in rule.attributes:
                        return f"uses .{attr} at line {sub.lineno}{where}"
                    if dotted and rule.requires and _matches(dotted, rule.requires):
                        used_required = True
        for module in self.star_imports:
            if forbidden and any(f.startswith(f"{module}.") for f in forbidden):
                return f"imports everything from {module}, which hides what is called"
        if rule.requires and not used_required:
            return f"does not use {' or '.join(rule.requires)}"
        return None


def _matches(dotted: str, names: tuple[str, ...]) -> bool:
    return any(dotted == n or dotted.startswith(f"{n}.") for n in names)


def _is_dynamic_getattr(call: ast.Call) -> bool:
    return (isinstance(call.func, ast.Name) and call.func.id in {"getattr", "setattr", "delattr"}
            and len(call.args) >= 2
            and not (isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str)))


def _literal_getattr(call: ast.Call) -> bool:
    return (isinstance(call.func, ast.Name) and call.func.id == "getattr" and len(call.args) >= 2
            and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str))
