"""A small Moodle 5.1 web-service simulator (REST, JSON and XML) for tests, the demo and benchmarks.

``create_sim_app(SimConfig(...), state)`` gives a Flask app; ``lms-bridge sim`` serves it.
"""

from moodle_sim.app import create_sim_app, sim_context
from moodle_sim.costs import SimConfig
from moodle_sim.state import SimState

__all__ = ["SimConfig", "SimState", "create_sim_app", "sim_context"]
