"""One router per job; ``service.app.ROUTERS`` lists the modules, each exposing ``router``."""
