from generator.cli import main

if __name__ == "__main__":  # not when a worker process is started afresh (see builder)
    raise SystemExit(main())
