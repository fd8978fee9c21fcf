"""The processes of the day, one module each (ODD 7): participation decisions, needs and
the four orders, disputes and mediation, deliberation, organizations, party service,
the committee's hours, government units, property companies. The day's order is
``sim.model.CoGovModel.step``."""
