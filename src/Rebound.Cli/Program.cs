using Rebound.Cli;

return await ReboundCli.RunAsync(args);
