from dumpwatch.cli import main

main()
