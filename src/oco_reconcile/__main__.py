from oco_reconcile.commands.app import main

main()
