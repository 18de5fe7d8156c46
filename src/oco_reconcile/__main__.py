from oco_reconcile.cli import main

main()
