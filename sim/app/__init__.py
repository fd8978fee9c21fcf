"""The browser view of cogov, kept apart from the model: ``cogov app`` (or ``make app``).

- :mod:`sim.app.session`: one visitor's models, setups, links, limits and the checks of
  what a visitor types (no browser code);
- :mod:`sim.app.i18n`: the page's words in English and Chinese (``lang=zh``);
- :mod:`sim.app.page`: the Solara page; :mod:`sim.app.plots`, :mod:`sim.app.network`: SVG;
- :mod:`sim.app.downloads`: the files ``cogov run`` writes, for the state reached;
- :mod:`sim.app.server`: the ``cogov app`` command; :mod:`sim.app.assets`: front-end files;
- :mod:`sim.app.guard`: what the server refuses before Solara sees a request (foreign
  ``Host``/``Origin``, too many websockets, Solara's operator pages).

Importing this package imports no browser library and builds no model.
"""
