"""Member accounts as the gateway knows them: who may sign in, projected from ``member.events``."""
