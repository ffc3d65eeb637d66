"""One router per job; ``service.web.app.ROUTERS`` lists the modules, each exposing ``router``."""
