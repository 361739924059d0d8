"""Method rules: what a student's function or class must not use, judged from two kinds of evidence.

Where a lab asks students to build something a library already has (an Adam, a closed-form gradient, a closed form
instead of a loop), a wrong solution can pass every behavioural case by calling the library. A rule names what the
target may not use. :func:`broken_rules` says which rules a module breaks, from:

- its source, read with `ast`: names resolved through imports and aliases wherever they are bound (module level,
  inside a function or a block), followed into the module's own functions and classes that the target uses (a
  local variable that shares a helper's name is not the helper). Dynamic lookups that the source cannot show
  (`eval`, `exec`, computed `getattr`, `importlib`, a namespace's `__dict__`, `__subclasses__()`) break every rule
  that forbids names;
- the run-time evidence of the clean check process (labkit.evidence), when given: the library functions and classes
  the target's code reached while the probes ran, the target class's MRO, target code that is not the submitted
  file's, and any tampering with the observer.

Either kind of direct evidence breaks a rule. The grader judges both outside the student's process;
`labkit.student.check` does the same on the student's machine.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from labkit.evidence import AUTOGRAD, HARMLESS, canonical_names, matches
from labkit.i18n import tr

_DYNAMIC = {"eval", "exec", "compile", "__import__", "importlib", "globals", "vars", "locals"}
_NAMESPACE_ATTRIBUTES = {"__dict__", "__subclasses__", "__bases__", "__mro__", "__globals__", "__builtins__"}
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(frozen=True)
class Rule:
    """`target` (a top-level function or class of the lab module) must be defined there, and must not use:

    - `names`: dotted names, after resolving imports (`"torch.optim.Adam"` also forbids `torch.optim.Adam.step`);
    - `attributes`: attribute, method or keyword names on any object (`"backward"`, `"grad"`, `"requires_grad"`);
    - `loops`: for/while loops and comprehensions, where a closed form is asked.

    `requires` lists names of which it must use at least one (`"torch.linalg.matrix_power"`). `autograd` forbids, at
    run time, anything that computes a gradient by autograd or a torch.func transform. `text` is the rule as the
    feedback states it, in the student's words: "build Adam yourself: no torch.optim.Adam"."""

    target: str
    text: str
    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    loops: bool = False
    requires: tuple[str, ...] = ()
    autograd: bool = False


def no_library(target: str, *names: str, text: str | None = None) -> Rule:
    return Rule(target, text or tr(f"{target} must be your own code: it may not use {', '.join(names)}",
                                   f"{target} doit être votre propre code, sans recours à {', '.join(names)}"),
                names=names)


def no_autograd(target: str, text: str | None = None) -> Rule:
    return Rule(target, text or tr(f"{target} is asked in closed form: no autograd (backward, torch.autograd, .grad)",
                                   f"{target} se calcule sous forme close : pas de différentiation automatique "
                                   "(backward, torch.autograd, .grad)"),
                names=("torch.autograd", "torch.func", "functorch"),
                attributes=("backward", "grad", "requires_grad", "requires_grad_", "enable_grad"), autograd=True)


def no_loops(target: str, text: str | None = None) -> Rule:
    return Rule(target, text or tr(f"{target} is asked in closed form: no loop or comprehension",
                                   f"{target} se calcule sous forme close : ni boucle ni compréhension"), loops=True)


def broken_rules(source: str, rules: tuple[Rule, ...] | list[Rule], evidence: dict[str, Any] | None = None,
                 lab_module: str = "") -> list[str]:
    """The `text` of each rule the module breaks, with what was found: one line each, in rule order. `evidence` is
    the run-time evidence of the module's probes (labkit.evidence, as recorded), `lab_module` the module's name."""
    if not rules:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [rule.text + tr(f" (the module does not parse: line {exc.lineno}: {exc.msg})",
                               f" (le module contient une erreur de syntaxe : ligne {exc.lineno} : {exc.msg})")
                for rule in rules]
    module = _Module(tree)
    broken = []
    for rule in rules:
        problem = (_run_time_violation(rule, evidence, lab_module) if evidence is not None else None)
        if problem is None:
            problem = module.violation(rule, required_seen=_required_at_run_time(rule, evidence, lab_module))
        if problem:
            broken.append(f"{rule.text} ({problem})")
    return broken


@cache
def _forbidden(rule: Rule, lab_module: str) -> tuple[str, ...]:
    return canonical_names(rule.names, lab_module)


def _target_calls(rule: Rule, evidence: dict[str, Any], *kinds: str) -> set[str]:
    """The names the target's code reached at run time, by kind (labkit.evidence.Observer)."""
    return {name for kind in kinds for entry, names in evidence.get(kind, {}).items()
            if entry == rule.target or entry.startswith(f"{rule.target}.") for name in names}


def _run_time_violation(rule: Rule, evidence: dict[str, Any], lab_module: str) -> str | None:
    if evidence.get("tampered"):
        return tr(f"the run-time checks were switched off or searched for: {evidence['tampered'][0]}",
                  f"les contrôles faits pendant l'exécution ont été désactivés ou recherchés : "
                  f"{evidence['tampered'][0]}")
    for where, why in sorted(evidence.get("foreign", {}).items()):
        if where == rule.target or where.startswith(f"{rule.target}."):
            return why
    forbidden = _forbidden(rule, lab_module)
    for name in evidence.get("mro", {}).get(rule.target, [])[1:]:
        if forbidden and matches(name, forbidden):
            return tr(f"inherits from {name}", f"hérite de {name}")
    # What the student's code called, and what those calls reached inside their own library; autograd wherever it
    # was reached.
    reached = sorted(_target_calls(rule, evidence, "direct", "own"))
    found = [n for n in reached if forbidden and matches(n, forbidden) and not matches(n, HARMLESS)]
    if rule.autograd:
        autograd = canonical_names(AUTOGRAD, lab_module)
        found += [n for n in sorted(_target_calls(rule, evidence, "calls"))
                  if matches(n, autograd) and not matches(n, HARMLESS)]
    return tr(f"called {found[0]} while the checks ran", f"a appelé {found[0]} pendant les tests") if found else None


def _required_at_run_time(rule: Rule, evidence: dict[str, Any] | None, lab_module: str) -> bool:
    if not rule.requires or evidence is None:
        return False
    required = canonical_names(rule.requires, lab_module)
    return any(matches(name, required) for name in _target_calls(rule, evidence, "direct", "own"))


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_LOCAL = ""  # a scope's binding of a name that is a plain local value, not an alias of anything


class _Module:
    def __init__(self, tree: ast.Module) -> None:
        self.definitions: dict[str, ast.AST] = {}
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
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                self.star_imports += [node.module for a in node.names if a.name == "*"]
        # The module's own scope: its imports and aliases (`A = torch.optim.Adam`), blocks included, defs excluded.
        self.aliases = _bindings(tree, {}, self.definitions)

    def _reached(self, target: str) -> Iterator[tuple[str, ast.AST, dict[str, str]]]:
        """The target's definition and every module-level definition it reaches by name (not through a local variable
        of the same name), each once; with every node, the aliases in force where it stands."""
        seen, todo = set(), [target]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            node = self.definitions.get(name) or self.definitions.get(f"={name}")
            if node is None:
                continue
            for sub, aliases in _scoped_walk(node, self.aliases, self.definitions):
                yield name, sub, aliases
                if (isinstance(sub, ast.Name) and aliases.get(sub.id, sub.id) == sub.id
                        and (sub.id in self.definitions or f"={sub.id}" in self.definitions)):
                    todo.append(sub.id)

    def violation(self, rule: Rule, required_seen: bool = False) -> str | None:
        if not isinstance(self.definitions.get(rule.target), (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return tr(f"{rule.target} is not defined with def or class in the lab module",
                      f"{rule.target} n'est pas défini par def ou class dans le module du lab")
        used_required = required_seen
        for name, sub, aliases in self._reached(rule.target):
            where = "" if name == rule.target else tr(f" in {name}, which {rule.target} uses",
                                                      f" dans {name}, dont se sert {rule.target}")
            found, uses_required = _node_violation(rule, sub, aliases, where)
            if found:
                return found
            used_required = used_required or uses_required
        for module in self.star_imports:
            if rule.names and any(f.startswith(f"{module}.") for f in rule.names):
                return tr(f"imports everything from {module}, which hides what is called",
                          f"importe tout de {module}, ce qui cache ce qui est appelé")
        if rule.requires and not used_required:
            return tr(f"does not use {' or '.join(rule.requires)}",
                      "n'utilise " + " ".join(f"ni {name}" for name in rule.requires) if len(rule.requires) > 1
                      else f"n'utilise pas {rule.requires[0]}")
        return None


def _scoped_walk(node: ast.AST, outer: dict[str, str],
                 definitions: dict[str, ast.AST]) -> Iterator[tuple[ast.AST, dict[str, str]]]:
    """Every node under `node` (itself included), each with the aliases in force there: a function or lambda opens a
    scope of its own, whose imports and assignments shadow the enclosing ones."""
    scope = _bindings(node, outer, definitions) if isinstance(node, _FUNCTIONS) else outer
    yield node, scope
    for child in ast.iter_child_nodes(node):
        yield from _scoped_walk(child, scope, definitions)


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one scope: nested functions' bodies excluded (their names and defaults included)."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, _FUNCTIONS):
            todo += [*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]]
            todo += getattr(node, "decorator_list", [])
        else:
            todo += ast.iter_child_nodes(node)


def _bindings(scope: ast.AST, outer: dict[str, str], definitions: dict[str, ast.AST]) -> dict[str, str]:
    """The names `scope` binds, over the enclosing ones: imports and `x = some.dotted.name` become aliases, every
    other binding (parameters, assignments, loop targets, nested defs) a plain local value."""
    names = dict(outer)
    module_level = isinstance(scope, ast.Module)
    if isinstance(scope, _FUNCTIONS):
        a = scope.args
        for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
            if arg is not None:
                names[arg.arg] = _LOCAL
    nodes = list(_own_nodes(scope))
    assigned: list[tuple[str, ast.AST]] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                names[alias.asname or root] = alias.name if alias.asname else root
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            assigned += [(t.id, node.value) for t in targets if isinstance(t, ast.Name)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not module_level:
            names[node.name] = _LOCAL
    imported = set(names) - set(outer)
    for node in nodes:  # every other binding: a plain local value, unless an import or alias gives it one
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in imported
                and not module_level):
            names[node.id] = _LOCAL
    for _ in range(2):  # aliases of aliases: o = torch.optim; A = o.Adam
        for name, value in assigned:
            dotted = _dotted(value, names)
            if dotted is not None and dotted.split(".")[0] in _import_roots(names):
                names[name] = dotted
    return names


def _import_roots(names: dict[str, str]) -> set[str]:
    return {v.split(".")[0] for v in names.values() if v}


def _dotted(node: ast.AST, names: dict[str, str]) -> str | None:
    """`o.Adam` -> "torch.optim.Adam" through the aliases in scope; None for a local value or anything but a name or
    attribute chain."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or names.get(node.id, node.id) == _LOCAL:
        return None
    return ".".join([names.get(node.id, node.id), *reversed(parts)])


def _matches(dotted: str, names: tuple[str, ...]) -> bool:
    return any(dotted == n or dotted.startswith(f"{n}.") for n in names)


def _is_dynamic_getattr(call: ast.Call) -> bool:
    return (isinstance(call.func, ast.Name) and call.func.id in {"getattr", "setattr", "delattr"}
            and len(call.args) >= 2
            and not (isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str)))


def _literal_getattr(call: ast.Call) -> bool:
    return (isinstance(call.func, ast.Name) and call.func.id == "getattr" and len(call.args) >= 2
            and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str))


def _uses(what: str, line: int, where: str, hides: bool = False) -> str:
    if hides:
        return tr(f"uses {what} at line {line}{where}, which hides what is called",
                  f"utilise {what} à la ligne {line}{where}, ce qui cache ce qui est appelé")
    return tr(f"uses {what} at line {line}{where}", f"utilise {what} à la ligne {line}{where}")


def _node_violation(rule: Rule, sub: ast.AST, aliases: dict[str, str], where: str) -> tuple[str | None, bool]:
    """What one node of the graded code breaks of `rule` (None if nothing), and whether it uses what the rule
    requires."""
    forbidden = tuple(rule.names)
    if rule.loops and isinstance(sub, _LOOPS):
        return tr(f"a loop at line {sub.lineno}{where}", f"une boucle à la ligne {sub.lineno}{where}"), False
    if isinstance(sub, (ast.Attribute, ast.Name)):
        return _name_violation(rule, sub, aliases, where)
    if isinstance(sub, ast.keyword) and sub.arg in rule.attributes:
        return tr(f"passes {sub.arg}= at line {sub.value.lineno}{where}",
                  f"passe {sub.arg}= à la ligne {sub.value.lineno}{where}"), False
    if forbidden and isinstance(sub, ast.Call) and _is_dynamic_getattr(sub):
        return tr(f"getattr with a computed name at line {sub.lineno}{where}",
                  f"getattr avec un nom calculé à la ligne {sub.lineno}{where}"), False
    if isinstance(sub, ast.Call) and _literal_getattr(sub):
        obj = _dotted(sub.args[0], aliases)
        attr = sub.args[1].value  # type: ignore[attr-defined]
        dotted = f"{obj}.{attr}" if obj else None
        if dotted and forbidden and _matches(dotted, forbidden):
            return _uses(dotted, sub.lineno, where), False
        if attr in rule.attributes:
            return _uses(f".{attr}", sub.lineno, where), False
        if attr in _NAMESPACE_ATTRIBUTES and forbidden:
            return _uses(f".{attr}", sub.lineno, where, hides=True), False
        return None, bool(dotted and rule.requires and _matches(dotted, rule.requires))
    return None, False


def _name_violation(rule: Rule, sub: ast.Attribute | ast.Name, aliases: dict[str, str],
                    where: str) -> tuple[str | None, bool]:
    forbidden, dotted = tuple(rule.names), _dotted(sub, aliases)
    uses_required = bool(dotted and rule.requires and _matches(dotted, rule.requires))
    if (rule.requires and isinstance(sub, ast.Attribute) and sub.attr in {r.rsplit(".", 1)[-1] for r in rule.requires}
            and _dotted(sub.value, aliases) is None):
        uses_required = True  # W.matrix_power(k): a method of a value the source cannot name
    if dotted and forbidden and _matches(dotted, forbidden):
        return _uses(dotted, sub.lineno, where), uses_required
    if isinstance(sub, ast.Attribute) and sub.attr in rule.attributes:
        return _uses(f".{sub.attr}", sub.lineno, where), uses_required
    if forbidden and isinstance(sub, ast.Attribute) and sub.attr in _NAMESPACE_ATTRIBUTES:
        return _uses(f".{sub.attr}", sub.lineno, where, hides=True), uses_required
    if forbidden and isinstance(sub, ast.Name) and sub.id in _DYNAMIC and aliases.get(sub.id) != _LOCAL:
        return _uses(sub.id, sub.lineno, where, hides=True), uses_required
    if forbidden and dotted and dotted.split(".")[0] == "importlib":
        return _uses(dotted, sub.lineno, where, hides=True), uses_required
    return None, uses_required
