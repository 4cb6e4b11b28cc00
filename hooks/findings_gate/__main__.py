from findings_gate.cli import main

raise SystemExit(main())
