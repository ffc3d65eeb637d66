"""Page views of the web interface: core results turned into template contexts."""
