from compose2ecs.cli.main import run

run()
