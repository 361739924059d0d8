"""Run-time evidence for method rules: what the student's code called, built and inherited while the probes ran.

Reading the source alone can be sidestepped (`torch.optim.__dict__["Adam"]`, an alias bound inside a block, a base
class found through `__subclasses__()`), so the clean check process also watches the code run. An :class:`Observer`
is a profile hook (`sys.setprofile`, every thread) that, while any frame of the student's code is on the stack,
notes the qualified name of every library function and class method called, Python or C. Each name is filed under
every student function on the stack at that moment, so a rule on `Adam` sees what `Adam.step` and its helpers
reached. It also notes the method resolution order of the graded classes, graded functions whose code is not in the
submitted file, and any attempt to switch the hook off or look for it.

Names are canonical: where a function or class is defined, not the alias it was reached through
(`torch.optim._functional.adam` is `torch.optim.adam.adam`). :func:`canonical_names` gives a rule's names in the same
form, so the judge, outside the student's process, compares like with like.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import threading
import types
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import labkit
from labkit.i18n import tr

# Calls that switch the observer off, or search the process for it: any of them voids a check that has rules.
TAMPERING = ("sys.setprofile", "sys.settrace", "threading.setprofile", "threading.settrace", "gc.get_objects",
             "gc.get_referrers", "gc.get_referents", "ctypes", "_ctypes")
# Grad-mode switches are not autograd: `with torch.no_grad():` is ordinary in a closed form.
HARMLESS = ("torch.autograd.grad_mode", "torch.utils._contextlib", "torch._C._set_grad_enabled",
            "torch._C._is_grad_enabled", "torch.autograd.profiler")
# What computing a gradient by autograd or a torch.func transform reaches, however it is spelled.
AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", "torch.autograd.functional", "torch.autograd.forward_ad",
            "torch.autograd.function.Function", "torch.Tensor.backward", "torch.Tensor.requires_grad_",
            "torch.autograd.Variable._execution_engine.run_backward", "torch._functorch.eager_transforms",
            "torch.func.grad", "torch.func.grad_and_value", "torch.func.jacrev", "torch.func.jacfwd",
            "torch.func.hessian", "torch.func.vjp", "torch.func.jvp", "torch.func.linearize", "functorch",
            "torch._C._functorch._grad_increment_nesting", "torch._C._functorch._jvp_increment_nesting")


def _trusted_roots() -> tuple[str, ...]:
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    roots.add(os.path.realpath(Path(labkit.__file__).parent))
    return tuple(sorted(r.rstrip("/") + "/" for r in roots))


def c_function_name(fn: Any) -> str:
    """The canonical name of a C function or method: where it is defined (`torch._C.TensorBase.matrix_power` for
    `x.matrix_power`, whatever the tensor's class)."""
    name = getattr(fn, "__name__", "?")
    owner = getattr(fn, "__objclass__", None)
    bound = getattr(fn, "__self__", None)
    if owner is None and bound is not None and not isinstance(bound, types.ModuleType):
        mro = bound.__mro__ if isinstance(bound, type) else type(bound).__mro__
        owner = next((k for k in mro if name in vars(k)), mro[0])
    if owner is not None:
        return f"{owner.__module__}.{owner.__qualname__}.{name}"
    module = getattr(fn, "__module__", None) or getattr(bound, "__name__", None) or "?"
    return f"{module}.{getattr(fn, '__qualname__', name)}"


def python_function_name(fn: types.FunctionType) -> str:
    return f"{fn.__globals__.get('__name__', '?')}.{fn.__code__.co_qualname}"


def class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def canonical(obj: Any) -> list[str]:
    """The canonical names that calling `obj` (a module, class, function or C function) shows at run time."""
    if isinstance(obj, types.ModuleType):
        # Its own names and what it re-exports (torch.optim._functional.adam is torch.optim.adam.adam); not what it
        # merely imports for itself (torch.optim.adam imports Optimizer, which students may subclass).
        names = [obj.__name__]
        public = getattr(obj, "__all__", None)
        for key, value in list(vars(obj).items()):
            if (public is not None and key not in public) or (public is None and key.startswith("_")):
                continue
            if isinstance(value, type) and public is None and not value.__module__.startswith(obj.__name__):
                continue
            if isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
                names += canonical(value)
        return names
    if isinstance(obj, type):
        return [class_name(obj)]
    unwrapped = inspect.unwrap(obj) if callable(obj) else obj
    if isinstance(unwrapped, types.FunctionType):
        return [python_function_name(unwrapped)]
    if isinstance(unwrapped, (types.BuiltinFunctionType, types.MethodDescriptorType, types.WrapperDescriptorType,
                              types.ClassMethodDescriptorType)):
        return [c_function_name(unwrapped)]
    return []


def canonical_names(dotted: Iterable[str], lab_module: str) -> tuple[str, ...]:
    """A rule's dotted names in run-time form. A name that does not import is one of the lab module's own
    (`rnn_unroll`), seen at run time as `<lab module>.rnn_unroll`."""
    out: set[str] = set()
    for name in dotted:
        out.add(name)
        obj = _resolve(name)
        if obj is None:
            out.add(f"{lab_module}.{name}")
        else:
            out.update(canonical(obj))
    return tuple(sorted(out))


def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:  # not a module: try a shorter prefix
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def matches(name: str, names: Iterable[str]) -> bool:
    return any(name == n or name.startswith(f"{n}.") for n in names)


def package(name: str) -> str:
    """The top-level package a canonical name belongs to (`torch._C.TensorBase.add` and `torch.optim.adam.adam`:
    torch; `_functools.reduce`: functools)."""
    return name.split(".")[0].lstrip("_")


class _Thread(threading.local):
    def __init__(self) -> None:
        self.names: list[str] = []  # the student functions on this thread's stack, outermost first
        self.library: list[tuple[types.FrameType, str]] = []  # library calls the student's code made, and package


class Observer:
    """Watches the code of the files that are not the Python environment's, labkit's or `trusted` ones: the
    student's module, and code it compiles itself. For each student function it keeps:

    - `calls`: every function reached while it ran;
    - `direct`: what the student's own code called;
    - `own`: what a library function the student's code called reached inside its own package (the real
      `torch.optim.adam.adam` behind a wrapper of torch's), and not beyond: a logger's handler that another library
      installed is not the student's doing.
    """

    def __init__(self, trusted: Iterable[str | Path] = ()) -> None:
        self._roots = _trusted_roots()
        self._trusted_files = {os.path.realpath(p) for p in trusted}
        self._student_code: dict[str, bool] = {}
        self._thread = _Thread()
        self._hook = self._profile  # one bound method, to recognise it later
        self.calls: dict[str, set[str]] = defaultdict(set)
        self.direct: dict[str, set[str]] = defaultdict(set)
        self.own: dict[str, set[str]] = defaultdict(set)
        self.tampered: list[str] = []

    def _is_student(self, filename: str) -> bool:
        known = self._student_code.get(filename)
        if known is None:
            real = os.path.realpath(filename) if not filename.startswith("<") else filename
            known = not (filename.startswith("<frozen ") or real.startswith(self._roots)
                         or real in self._trusted_files)
            self._student_code[filename] = known
        return known

    def _note(self, name: str, caller: types.FrameType | None, library_frame: types.FrameType | None) -> None:
        state = self._thread
        entries = set(state.names)
        for entry in entries:
            self.calls[entry].add(name)
        if caller is not None and self._is_student(caller.f_code.co_filename):
            for entry in entries:
                self.direct[entry].add(name)
            if library_frame is not None:
                state.library.append((library_frame, package(name)))
            # Only the student's own calls: libraries use ctypes and gc for their own ends.
            if matches(name, TAMPERING):
                self.tampered.append(tr(f"called {name}", f"appelle {name}"))
        elif state.library and package(name) == state.library[-1][1]:
            for entry in entries:
                self.own[entry].add(name)

    def _profile(self, frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            if code.co_qualname == "<module>":  # a module's body: importing it is not using it
                return
            student = self._is_student(code.co_filename)
            if self._thread.names:
                self._note(f"{frame.f_globals.get('__name__', '?')}.{code.co_qualname}", frame.f_back,
                           None if student else frame)
            if student:
                self._thread.names.append(code.co_qualname)
        elif event == "return":
            if frame.f_code.co_qualname == "<module>":
                return
            state = self._thread
            if state.library and state.library[-1][0] is frame:
                state.library.pop()
            elif state.names and self._is_student(frame.f_code.co_filename):
                state.names.pop()
        elif event == "c_call" and self._thread.names:
            self._note(c_function_name(arg), frame, None)

    def start(self) -> None:
        threading.setprofile(self._hook)
        sys.setprofile(self._hook)

    def stop(self) -> None:
        if sys.getprofile() is not self._hook:
            self.tampered.append(tr("the profile hook was replaced", "le crochet de profilage a été remplacé"))
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]

    def reset(self) -> None:
        self.calls, self.direct, self.own = defaultdict(set), defaultdict(set), defaultdict(set)


def graded_objects(module: types.ModuleType, targets: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """For each rule target: the canonical MRO of a class, and where code that is not the submitted file's comes from
    (a library method assigned into the class, a function built elsewhere)."""
    source = os.path.realpath(getattr(module, "__file__", "") or "")
    mro, foreign = {}, {}
    for target in targets:
        obj = getattr(module, target, None)
        if isinstance(obj, type):
            mro[target] = [class_name(k) for k in obj.__mro__]
            functions = [(f"{target}.{k}", v) for k, v in vars(obj).items()]
        else:
            functions = [(target, obj)]
        for where, value in functions:
            value = getattr(value, "__func__", value)  # staticmethod, classmethod
            value = getattr(value, "fget", value)  # property
            if not callable(value) or isinstance(value, type):
                continue
            code = getattr(inspect.unwrap(value), "__code__", None)
            if code is None:
                foreign[where] = tr(f"{where} is not a function of the submitted file",
                                    f"{where} n'est pas une fonction du fichier remis")
            elif os.path.realpath(code.co_filename) != source:
                foreign[where] = tr(f"{where}'s code comes from {code.co_filename}, not the submitted file",
                                    f"le code de {where} vient de {code.co_filename}, pas du fichier remis")
    return mro, foreign
