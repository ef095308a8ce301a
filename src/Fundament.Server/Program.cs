using Fundament.Server;

return await Cli.Build().Parse(args).InvokeAsync();
