from leaddesigner.cli import main

raise SystemExit(main())
