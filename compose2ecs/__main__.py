from compose2ecs.cli.main import main

main()
