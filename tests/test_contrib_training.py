"""tf.contrib.training.HParams: TF 1.x's parsing and type checking."""

import json

import pytest

from tf1_dnn import tf
from tf1_dnn.contrib.training import HParamsError, UnknownHParamError
from tf1_dnn.errors import Tf1DnnError


def make():
    return tf.contrib.training.HParams(learning_rate=0.1, num_hidden=100,
                                       use_bn=False, act="relu",
                                       layers=[300, 100])


def test_values_and_parse():
    hp = make()
    assert hp.values() == {"learning_rate": 0.1, "num_hidden": 100,
                           "use_bn": False, "act": "relu",
                           "layers": [300, 100]}
    assert hp.parse("learning_rate=0.3, num_hidden=5,use_bn=true,act=elu,"
                    "layers=[10,20,30]") is hp
    assert (hp.learning_rate, hp.num_hidden, hp.use_bn, hp.act, hp.layers) \
        == (0.3, 5, True, "elu", [10, 20, 30])
    hp.parse("learning_rate=1")          # int into a float: allowed
    assert hp.learning_rate == 1.0 and isinstance(hp.learning_rate, float)
    hp.parse("layers[1]=7")
    assert hp.layers == [10, 7, 30]
    hp.parse("use_bn=0")
    assert hp.use_bn is False


@pytest.mark.parametrize("text, fragment", [
    ("num_hidden=0.5", "Could not parse hparam 'num_hidden' of type 'int'"),
    ("use_bn=maybe", "Could not parse hparam 'use_bn'"),
    ("nope=1", "Unknown hyperparameter type for nope"),
    ("num_hidden=1,num_hidden=2", "Multiple assignments"),
    ("=3", "Malformed hyperparameter value"),
])
def test_parse_errors(text, fragment):
    with pytest.raises(HParamsError, match=fragment) as info:
        make().parse(text)
    assert isinstance(info.value, (ValueError, Tf1DnnError))


def test_set_hparam_type_checks():
    hp = make()
    hp.set_hparam("learning_rate", 2)
    assert hp.learning_rate == 2.0
    for name, value, fragment in [
            ("num_hidden", 2.5, "Could not cast hparam 'num_hidden'"),
            ("use_bn", 1, "Could not cast hparam 'use_bn'"),
            ("act", 3, "Could not cast hparam 'act'"),
            ("learning_rate", "0.1", "Could not cast"),
            ("num_hidden", [1, 2], "Must not pass a list"),
            ("layers", 3, "Must pass a list")]:
        with pytest.raises(HParamsError, match=fragment):
            hp.set_hparam(name, value)
    with pytest.raises(KeyError) as info:
        hp.set_hparam("missing", 1)
    assert isinstance(info.value, UnknownHParamError)


def test_add_del_json_get():
    hp = make()
    with pytest.raises(HParamsError, match="reserved: values"):
        hp.add_hparam("values", 1)
    with pytest.raises(HParamsError, match="reserved: act"):
        hp.add_hparam("act", "x")
    with pytest.raises(HParamsError, match="cannot be empty"):
        hp.add_hparam("empty", [])
    hp.add_hparam("dropout", 0.5)
    assert "dropout" in hp
    hp.del_hparam("dropout")
    assert "dropout" not in hp and not hasattr(hp, "dropout")
    text = hp.to_json(sort_keys=True)
    assert json.loads(text) == hp.values()
    other = make().parse_json('{"num_hidden": 7, "layers": [1]}')
    assert other.num_hidden == 7 and other.layers == [1]
    assert hp.get("num_hidden") == 100 and hp.get("zzz", 3) == 3
    with pytest.raises(HParamsError, match="incompatible with default"):
        hp.get("num_hidden", "x")
    assert str(hp).startswith("[('act', 'relu')")
    assert repr(hp).startswith("HParams([")
