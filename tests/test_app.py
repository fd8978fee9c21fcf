"""The browser view's model_params construct and step the real model (SolaraViz's contract)."""

from sim.app import APP_LEVERS, model_params
from sim.model import CoGovModel


def test_model_params_construct_and_step_the_model():
    params = model_params()
    assert set(APP_LEVERS) <= set(params)
    kwargs = {k: v["value"] for k, v in params.items()}
    kwargs["population.residents_per_community"] = 800
    model = CoGovModel(**kwargs)
    for _ in range(3):
        model.step()
    assert model.day == 3
    assert len(model.datacollector.get_model_vars_dataframe()) == 3


def test_sliders_respect_schema_bounds():
    params = model_params()
    slider = params["committee.pushed_down_duty_items"]
    assert slider["type"] == "SliderInt" and slider["min"] == 0 and slider["value"] == 200
    # moving a slider to its maximum still gives a valid model
    model = CoGovModel(**{"committee.pushed_down_duty_items": slider["max"],
                          "population.residents_per_community": 500}, rng=3)
    model.step()
    assert model.committees[0].duty_items == slider["max"]
