"""Exact snapshots of a model: save the complete state, restore it, continue bit for bit.

A snapshot is one ``.npz`` file (a zip of ``.npy`` arrays, read with
``allow_pickle=False``) holding every array of the model, and one member ``__state__``: a
JSON document describing the rest (scalars, lists, dicts, objects and the references
between them). Loading it executes no code from the file: objects are rebuilt only for
classes of this package (``sim.*``) and a short list of library types (numpy Generators,
scipy sparse arrays, Mesa agent sets, the standard containers); any other class named in a
file is refused. Pickle is never used, so a snapshot received from someone else is as safe
to open as a data file.

What is saved is the object graph reachable from the model, with identity kept: an array,
list or object reachable along two paths (an organization in ``model.orgs`` and in
``model.org_index``; a process's cached view of ``model.adj``) is one object again after a
restore, so that in-place updates keep reaching every holder. Mesa's own machinery (the
agent registry, the step schedule) is rebuilt by ``mesa.Model.__init__`` and the agents are
registered again with their ids. What would make a snapshot incomplete fails loudly
instead: a value of a type the codec does not know raises :class:`SnapshotError` naming its
path, and each process declares its state (``Process.state``), checked on save.

Why one long module: the encoder and the decoder are two halves of one format (every node
kind written in one is read in the other), and the file and in-memory forms share them.
"""

from __future__ import annotations

import collections
import functools
import gc
import importlib
import io
import json
import math
import os
import random
import tempfile
import zipfile
from pathlib import Path

import mesa
import numpy as np

FORMAT = "cogov-snapshot/1"
_STATE_MEMBER = "__state__"

# numpy scalar types kept as themselves (a float32 stays float32: arithmetic on it differs)
_NP_SCALARS = {np.dtype(t).name: np.dtype(t).type for t in
               ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float16", "float32", "float64")}

# attributes of mesa.Model that mesa.Model.__init__ rebuilds (steps, time, the id counter and
# the random streams are saved apart): read off a bare Mesa model, so a Mesa release that
# adds one is covered
_MESA_MODEL_KEYS = frozenset(vars(mesa.Model(rng=0))) | {"time"}

# library classes a snapshot may name, beyond this package's own
_LIBRARY_CLASSES = {
    "scipy.sparse._csr.csr_array", "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csc.csc_array", "scipy.sparse._csc.csc_matrix",
    "scipy.sparse._coo.coo_array", "scipy.sparse._coo.coo_matrix",
    "mesa.agentset.AgentSet",
}


_PLAIN_AGENT = {"model", "unique_id", "pos", "idx"}


class SnapshotError(ValueError):
    """A model state that cannot be saved, or a file that is not a valid snapshot."""


def _class_name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@functools.lru_cache(maxsize=None)
def _allowed_class(name: str):
    """The class named ``name``, if a snapshot may rebuild it (else SnapshotError)."""
    module, _, qual = name.rpartition(".")
    if not (name in _LIBRARY_CLASSES or module == "sim" or module.startswith("sim.")):
        raise SnapshotError(f"snapshot names class {name!r}, which may not be rebuilt "
                            "(only cogov's own classes and a few library types)")
    if "." in qual or not qual.isidentifier():
        raise SnapshotError(f"snapshot names class {name!r}: not a top-level class")
    try:
        cls = getattr(importlib.import_module(module), qual)
    except (ImportError, AttributeError) as exc:
        raise SnapshotError(f"snapshot names class {name!r}, which this version of cogov "
                            f"does not have ({exc})") from None
    if not isinstance(cls, type):
        raise SnapshotError(f"snapshot names {name!r}, which is not a class")
    return cls


# ======================================================================== encoding
class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}
        self.memo: dict[int, int] = {}   # id(object) -> reference number
        self.keep: list = []              # keeps encoded objects alive (ids stay unique)
        self.array_roots: dict[int, str] = {}  # id of an array owning memory -> file member

    def ref(self, obj) -> tuple[int, bool]:
        k = id(obj)
        if k in self.memo:
            return self.memo[k], False
        n = len(self.memo)
        self.memo[k] = n
        self.keep.append(obj)
        return n, True

    def enc(self, v, path: str):
        # immutable plain values first (no identity to keep)
        if v is None or isinstance(v, (bool, str)):
            return v
        t = type(v)
        if t is int:
            return v
        if t is float:
            return v if math.isfinite(v) else {"$f": repr(v)}
        if isinstance(v, np.generic):
            name = v.dtype.name
            if name not in _NP_SCALARS:
                raise SnapshotError(f"{path}: numpy scalar of dtype {name} cannot be saved")
            x = v.item()
            if isinstance(x, float) and not math.isfinite(x):
                x = {"$f": repr(x)}
            return {"$np": name, "v": x}
        n, new = self.ref(v)
        if not new:
            return {"$ref": n}
        if isinstance(v, np.ndarray):
            return self.enc_array(v, n, path)
        if t is list:
            return {"$id": n, "$list": [self.enc(x, f"{path}[{i}]") for i, x in enumerate(v)]}
        if t is tuple:
            return {"$id": n, "$tuple": [self.enc(x, f"{path}[{i}]") for i, x in enumerate(v)]}
        if t in (dict, collections.Counter, collections.OrderedDict):
            kind = {dict: "$dict", collections.Counter: "$counter",
                    collections.OrderedDict: "$odict"}[t]
            return {"$id": n, kind: [[self.enc(k, f"{path}.<key>"), self.enc(x, f"{path}[{k!r}]")]
                                     for k, x in v.items()]}
        if t is collections.deque:
            return {"$id": n, "$deque": [self.enc(x, f"{path}[{i}]") for i, x in enumerate(v)],
                    "maxlen": v.maxlen}
        if t in (set, frozenset):
            # a set's iteration order is not its content: only sets whose order cannot
            # matter (sorted on restore) are allowed, i.e. sets of ints or strings
            items = list(v)
            if not all(type(x) in (int, str) for x in items):
                raise SnapshotError(f"{path}: a set of other values than ints or strings")
            return {"$id": n, "$set" if t is set else "$frozenset": sorted(items, key=repr)}
        if isinstance(v, np.random.Generator):
            bg = v.bit_generator
            return {"$id": n, "$generator": type(bg).__name__,
                    "state": self.enc(bg.state, f"{path}.state")}
        if t is random.Random:
            return {"$id": n, "$pyrandom": self.enc(v.getstate(), f"{path}.state")}
        if isinstance(v, mesa.Model):
            return self.enc_model(v, n, path)
        if isinstance(v, type):
            name = _class_name(v)
            _allowed_class(name)
            return {"$id": n, "$class": name}
        return self.enc_object(v, n, path)

    def root_key(self, root: np.ndarray) -> str:
        """The file member holding the memory of ``root`` (an array owning its memory)."""
        key = self.array_roots.get(id(root))
        if key is None:
            key = self.array_roots[id(root)] = f"a{len(self.arrays)}"
            self.arrays[key] = root
            self.keep.append(root)
        return key

    def enc_array(self, a: np.ndarray, n: int, path: str):
        if a.dtype.hasobject:
            raise SnapshotError(f"{path}: an array of Python objects cannot be saved")
        # an array that is a view of another (an organization's members sliced from one
        # draw) is saved as that view of its memory's owner, so that arrays sharing memory
        # share it again after a restore
        root = a
        while isinstance(root.base, np.ndarray):
            root = root.base
        node = {"$id": n}
        if root is a or not (root.flags.c_contiguous or root.flags.f_contiguous):
            node["$array"] = self.root_key(a if root is a else np.array(a))
        else:
            node["$view"] = self.root_key(root)
            node["offset"] = int(a.ctypes.data - root.ctypes.data)
            node["shape"] = list(a.shape)
            node["strides"] = list(a.strides)
            node["dtype"] = a.dtype.str
        if not a.flags.writeable:
            node["readonly"] = True
        return node

    def enc_model(self, model, n: int, path: str):
        own = {k: v for k, v in vars(model).items() if k not in _MESA_MODEL_KEYS}
        agents = list(model._all_agents)
        return {"$id": n, "$model": _class_name(type(model)),
                "mesa": {"steps": model.steps, "time": self.enc(model.time, f"{path}.time"),
                         "agent_id_counter": model.agent_id_counter,
                         "running": model.running,
                         "random": self.enc(model.random, f"{path}.random"),
                         "rng": self.enc(model.rng, f"{path}.rng"),
                         "agents": self.enc_agents(model, agents, f"{path}.agents")},
                "dict": {k: self.enc(v, f"{path}.{k}") for k, v in own.items()}}

    def enc_agents(self, model, agents: list, path: str) -> list:
        """The agents in registration order. Runs of plain agents (nothing but ``model``,
        ``unique_id``, ``pos`` None and an integer ``idx``: the residents, whose state is in
        the population's arrays) go into one table each: a 100,000-resident street restores
        in a fraction of the time one object each would take."""
        out: list = []
        run: list = []

        def flush():
            if not run:
                return
            classes = sorted({_class_name(type(a)) for a in run})
            first = len(self.memo)
            for a in run:
                self.ref(a)
            cls_of = {c: i for i, c in enumerate(classes)}
            out.append({"$agents": classes, "first": first,
                        "cls": self.enc(np.array([cls_of[_class_name(type(a))] for a in run], np.int16),
                                        f"{path}.cls"),
                        "uid": self.enc(np.array([a.unique_id for a in run], np.int64), f"{path}.uid"),
                        "idx": self.enc(np.array([a.idx for a in run], np.int64), f"{path}.idx")})
            run.clear()

        for i, a in enumerate(agents):
            d = vars(a)
            plain = (d.keys() == _PLAIN_AGENT and d["model"] is model and d["pos"] is None
                     and type(d["idx"]) is int and type(d["unique_id"]) is int
                     and id(a) not in self.memo)
            if plain:
                run.append(a)
            else:
                flush()
                out.append(self.enc(a, f"{path}[{i}]"))
        flush()
        return out

    def enc_object(self, v, n: int, path: str):
        cls = type(v)
        name = _class_name(cls)
        try:
            _allowed_class(name)
        except SnapshotError:
            raise SnapshotError(f"{path}: a value of type {name} cannot be saved (add the "
                                "state it carries as arrays or plain values)") from None
        state = v.__getstate__()
        if isinstance(state, tuple):  # (dict, slots) of a class with __slots__
            state = {"$slots": list(state)}
        if not isinstance(state, dict):
            raise SnapshotError(f"{path}: {name} has a state of type {type(state).__name__}")
        return {"$id": n, "$object": name,
                "state": {k: self.enc(x, f"{path}.{k}") for k, x in state.items()}
                if "$slots" not in state else {"$slots": self.enc(state["$slots"], f"{path}")}}


# ======================================================================== decoding
class _Decoder:
    def __init__(self, arrays, into=None):
        self.arrays = arrays
        self.objs: dict[int, object] = {}
        self.into = into  # restore the model into this instance (a constructor's self)

    def dec(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            raise SnapshotError("snapshot: bare JSON list where a tagged value was expected")
        if not isinstance(node, dict):
            raise SnapshotError(f"snapshot: unexpected value {type(node).__name__}")
        if "$ref" in node:
            try:
                return self.objs[node["$ref"]]
            except (KeyError, TypeError):
                raise SnapshotError(f"snapshot: reference {node['$ref']!r} before its object") from None
        if "$f" in node:
            if node["$f"] not in ("nan", "inf", "-inf"):
                raise SnapshotError(f"snapshot: bad float {node['$f']!r}")
            return float(node["$f"])
        if "$np" in node:
            t = _NP_SCALARS.get(node["$np"])
            if t is None:
                raise SnapshotError(f"snapshot: numpy scalar type {node['$np']!r} not allowed")
            v = node["v"]
            return t(self.dec(v) if isinstance(v, dict) else v)
        n = node.get("$id")
        if not isinstance(n, int):
            raise SnapshotError("snapshot: a value without its reference number")
        if "$array" in node or "$view" in node:
            key = node.get("$array", node.get("$view"))
            try:
                a = self.arrays[key]
            except (KeyError, TypeError):
                raise SnapshotError(f"snapshot: array {key!r} missing") from None
            if "$view" in node:
                dtype = np.dtype(node["dtype"])
                if dtype.hasobject:
                    raise SnapshotError("snapshot: a view of Python objects")
                a = np.ndarray(tuple(node["shape"]), dtype, buffer=a, offset=node["offset"],
                               strides=tuple(node["strides"]))
            if node.get("readonly"):
                a.flags.writeable = False
            self.objs[n] = a
            return a
        if "$list" in node:
            out = self.objs[n] = []
            out.extend(self.dec(x) for x in node["$list"])
            return out
        if "$tuple" in node:
            out = self.objs[n] = tuple(self.dec(x) for x in node["$tuple"])
            return out
        for kind, cls in (("$dict", dict), ("$counter", collections.Counter),
                          ("$odict", collections.OrderedDict)):
            if kind in node:
                out = self.objs[n] = cls()
                for k, x in node[kind]:
                    out[self.dec(k)] = self.dec(x)
                return out
        if "$deque" in node:
            out = self.objs[n] = collections.deque(maxlen=node["maxlen"])
            out.extend(self.dec(x) for x in node["$deque"])
            return out
        if "$set" in node or "$frozenset" in node:
            items = node.get("$set", node.get("$frozenset"))
            out = self.objs[n] = (set if "$set" in node else frozenset)(items)
            return out
        if "$generator" in node:
            name = node["$generator"]
            if name not in ("SFC64", "PCG64", "PCG64DXSM", "Philox", "MT19937"):
                raise SnapshotError(f"snapshot: bit generator {name!r} not allowed")
            bg = getattr(np.random, name)()
            bg.state = self.dec(node["state"])
            out = self.objs[n] = np.random.Generator(bg)
            return out
        if "$pyrandom" in node:
            r = random.Random()
            r.setstate(_tuples(self.dec(node["$pyrandom"])))
            self.objs[n] = r
            return r
        if "$class" in node:
            out = self.objs[n] = _allowed_class(node["$class"])
            return out
        if "$model" in node:
            return self.dec_model(node, n)
        if "$object" in node:
            cls = _allowed_class(node["$object"])
            obj = cls.__new__(cls)
            self.objs[n] = obj
            st = node["state"]
            if "$slots" in st:
                state = tuple(self.dec(st["$slots"]))
            else:
                state = {k: self.dec(x) for k, x in st.items()}
            if hasattr(cls, "__setstate__"):
                obj.__setstate__(state)
            elif isinstance(state, tuple):  # (instance dict or None, slot values)
                if len(state) != 2:
                    raise SnapshotError(f"snapshot: bad state of {node['$object']}")
                if state[0]:
                    obj.__dict__.update(state[0])
                for k, x in (state[1] or {}).items():
                    setattr(obj, k, x)
            else:
                obj.__dict__.update(state)
            return obj
        raise SnapshotError(f"snapshot: unknown node {sorted(node)[:3]}")

    def dec_model(self, node, n: int):
        cls = _allowed_class(node["$model"])
        if not issubclass(cls, mesa.Model):
            raise SnapshotError(f"snapshot: {node['$model']} is not a Mesa model")
        if self.into is not None:
            # a model class and its subclasses (BatchModel) share the constructor's state
            if not (isinstance(self.into, cls) or issubclass(cls, type(self.into))):
                raise SnapshotError(f"snapshot of a {node['$model']}, not of a "
                                    f"{_class_name(type(self.into))}")
            model, self.into = self.into, None
        else:
            model = cls.__new__(cls)
        self.objs[n] = model
        m = node["mesa"]
        rnd = self.dec(m["random"])
        # Mesa wraps the class's step in an instance attribute: a model restored into an
        # instance Mesa already set up must not wrap the wrapper
        model.__dict__.pop("step", None)
        mesa.Model.__init__(model, rng=0)
        model.random = rnd
        model.rng = self.dec(m["rng"])
        model._rng = model.rng.bit_generator.state
        model._all_agents.random = rnd
        model.steps = m["steps"]
        model.time = self.dec(m["time"])
        model.running = m["running"]
        if model.time:
            # Mesa's daily step is an event generator started at time 1: start it again at
            # the next whole time, as it would have been scheduled
            from mesa.time.events import EventGenerator, Priority, Schedule
            model._default_schedule.stop()
            model._default_schedule = EventGenerator(
                model, model._do_step, Schedule(interval=1.0, start=model.time + 1.0),
                priority=Priority.HIGH).start()
            model._default_schedule._execution_count = model.steps
        # its agents (decoded in the order they were encoded), the model's own state, then
        # the agents registered again in their order and with their ids
        agents: list = []
        for a in m["agents"]:
            if isinstance(a, dict) and "$agents" in a:
                agents.extend(self.dec_agent_table(model, a))
            else:
                agents.append(self.dec(a))
        for k, x in node["dict"].items():
            setattr(model, k, self.dec(x))
        # registered again in their order and with their ids (Mesa's registry, without its
        # per-agent signal: nothing observes a model being restored)
        everyone = model._all_agents
        by_type = model._agents_by_type
        for agent in agents:
            everyone.add(agent)
            kind = type(agent)
            group = by_type.get(kind)
            if group is None:
                group = by_type[kind] = type(everyone)([], random=model.random)
            group.add(agent)
        model.agent_id_counter = m["agent_id_counter"]
        return model

    def dec_agent_table(self, model, node) -> list:
        classes = [_allowed_class(c) for c in node["$agents"]]
        if not all(issubclass(c, mesa.Agent) for c in classes):
            raise SnapshotError("snapshot: an agent table of other classes than agents")
        cls_of = self.dec(node["cls"]).tolist()
        uids = self.dec(node["uid"]).tolist()
        idxs = self.dec(node["idx"]).tolist()
        if not len(cls_of) == len(uids) == len(idxs):
            raise SnapshotError("snapshot: agent table columns of different lengths")
        first = node["first"]
        out = []
        new = object.__new__
        for k, (c, uid, idx) in enumerate(zip(cls_of, uids, idxs)):
            agent = new(classes[c])
            agent.__dict__.update(model=model, unique_id=uid, pos=None, idx=idx)
            self.objs[first + k] = agent
            out.append(agent)
        return out


def _tuples(x):
    """random.Random's state is nested tuples (JSON gives lists)."""
    return tuple(_tuples(v) for v in x) if isinstance(x, list) else x


# ======================================================================== files
def encode(model) -> tuple[dict, dict[str, np.ndarray]]:
    """(the JSON document, the arrays) of ``model``'s complete state."""
    check_declared_state(model)
    e = _Encoder()
    root = e.enc(model, "model")
    return {"format": FORMAT, "root": root}, e.arrays


class Snapshot:
    """A model's complete state in memory: the JSON document and the arrays (read-only).
    :meth:`restore` builds a model from it as often as needed, each with arrays of its own
    (the spin-up cache keeps these, so a fork costs a copy of arrays, not a file read)."""

    def __init__(self, doc: dict, arrays: dict[str, np.ndarray], source: str = "snapshot"):
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            found = doc.get("format") if isinstance(doc, dict) else None
            raise SnapshotError(f"{source}: snapshot format {found!r}, this cogov reads {FORMAT!r}")
        for a in arrays.values():
            a.flags.writeable = False
        self.doc, self.arrays, self.source = doc, arrays, source

    @classmethod
    def of(cls, model) -> "Snapshot":
        doc, arrays = encode(model)
        # the arrays are the model's own: copied, so that the model can go on
        return cls(doc, {k: np.array(v, copy=True) for k, v in arrays.items()})

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays.values()) + 64 * len(self.arrays) + 100_000

    def to_bytes(self) -> bytes:
        """The bytes of an ``.npz`` file (arrays, and the document as the member
        ``__state__``)."""
        return _pack(self.doc, self.arrays)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "snapshot") -> "Snapshot":
        return cls._read(io.BytesIO(data), source)

    @classmethod
    def _read(cls, fh, source: str) -> "Snapshot":
        try:
            with np.load(fh, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise SnapshotError(f"{source}: not a cogov snapshot ({exc})") from None
        raw = arrays.pop(_STATE_MEMBER, None)
        if raw is None:
            raise SnapshotError(f"{source}: not a cogov snapshot (no {_STATE_MEMBER} member)")
        try:
            doc = json.loads(raw.tobytes().decode())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SnapshotError(f"{source}: damaged snapshot ({exc})") from None
        return cls(doc, arrays, source)

    def restore(self, into=None):
        """A model in this state (``into``: a model instance to restore into)."""
        arrays = {k: np.array(v, copy=True) for k, v in self.arrays.items()}
        # thousands of new objects and no garbage: the cyclic collector would scan the whole
        # heap again and again while they are made (0.5 s of a 0.6 s restore beside a
        # second model in the app), so it waits until the model is whole
        collecting = gc.isenabled()
        gc.disable()
        try:
            return _Decoder(arrays, into).dec(self.doc["root"])
        except SnapshotError as exc:
            raise SnapshotError(f"{self.source}: {exc}") from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise SnapshotError(f"{self.source}: damaged snapshot "
                                f"({type(exc).__name__}: {exc})") from None
        finally:
            if collecting:
                gc.enable()


def to_bytes(model) -> bytes:
    """The snapshot of ``model`` as the bytes of an ``.npz`` file."""
    doc, arrays = encode(model)
    return _pack(doc, arrays)


def _pack(doc: dict, arrays: dict) -> bytes:
    buf = io.BytesIO()
    state = np.frombuffer(json.dumps(doc, separators=(",", ":")).encode(), np.uint8)
    np.savez(buf, **{_STATE_MEMBER: state}, **arrays)
    return buf.getvalue()


def from_bytes(data: bytes, source: str = "snapshot", into=None):
    """The model saved in ``data`` (bytes of an ``.npz`` snapshot); ``into``: a model
    instance to restore it into (its own state is replaced), else a new one."""
    return Snapshot.from_bytes(data, source).restore(into)


def save(model, path) -> Path:
    """Write ``model``'s snapshot to ``path`` (a temporary file, then renamed)."""
    path = Path(path)
    write_atomic(path, to_bytes(model))
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, then rename: a reader
    never sees half a file (the spin-up cache writes its entries with it too)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path):
    """The model saved at ``path`` by :func:`save`."""
    path = Path(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read the snapshot ({exc.strerror})") from None
    with fh:
        return Snapshot._read(fh, str(path)).restore()


def copy(model):
    """An independent copy of ``model`` through its snapshot (what a fork from the cache is)."""
    return from_bytes(to_bytes(model))


def check_declared_state(model) -> None:
    """Every process holds exactly the state it declares (``Process.state``): a process
    that adds an attribute it does not declare is an error (the snapshot would still save
    it, but the declaration is the contract the ODD and the tests read)."""
    for proc in getattr(model, "processes", ()):
        declared = set(type(proc).declared_state())
        have = set(vars(proc))
        if have != declared:
            extra, missing = sorted(have - declared), sorted(declared - have)
            raise SnapshotError(
                f"process {proc.name!r} ({type(proc).__name__}): state not as declared"
                + (f"; undeclared: {', '.join(extra)}" if extra else "")
                + (f"; declared but absent: {', '.join(missing)}" if missing else ""))
