"""What the tests and the benchmark scripts share: real servers on loopback (servers,
cluster, PostgreSQL, Redis, nginx), loopback fakes of outside APIs, the perturbations of
the safety suite, and model loading through the server's own inference path. Tests and
scripts import this package, never each other."""
