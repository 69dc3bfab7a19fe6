"""The grader as a reward: TRL's reward-function shape, worker processes, and two real GRPO steps on CPU."""

from __future__ import annotations

import json

import pytest

from agent.errors import InvalidRequest
from agent.evaluation.grader import Grader
from agent.pipeline import Engine
from agent.rewards import DesignReward, request_of

REQUEST = "stop any one customer from flooding our API"


@pytest.fixture(scope="module")
def grader(retriever) -> Grader:
    return Grader(Engine(retriever))


@pytest.fixture(scope="module")
def design(grader) -> str:
    return json.dumps(grader.engine.recommend(REQUEST).model_dump(mode="json", exclude_none=True))


def test_plain_and_conversational_calls_give_the_same_rewards(grader, design):
    reward = DesignReward(grader=grader)
    plain = reward(prompts=[REQUEST] * 3, completions=[design, "", "```json\n" + design[:2500]])
    answers = (design, "", "```json\n" + design[:2500])
    chat = reward(prompts=[[{"role": "user", "content": REQUEST}]] * 3,
                  completions=[[{"role": "assistant", "content": c}] for c in answers])  # fmt: skip
    assert plain == chat
    assert plain[0] > plain[2] > plain[1] == 0.0
    assert reward.last[2].parsed_as == "truncated_json"


def test_a_request_column_is_graded_against_instead_of_the_prompt(grader, design):
    reward = DesignReward(grader=grader)
    [score] = reward(prompts=["Answer as JSON."], completions=[design], request=[REQUEST])
    assert score > 0.8


def test_worker_processes_give_the_grades_of_one_process(grader, design):
    completions = [design, design[:3000], "", design.replace("Redis", "Memcached")] * 3
    single = DesignReward(grader=grader)(prompts=[REQUEST] * 12, completions=completions)
    pooled = DesignReward(workers=2, grader=grader, chunk=3)
    try:
        assert pooled(prompts=[REQUEST] * 12, completions=completions) == single
    finally:
        pooled.close()


def test_bad_calls_are_refused_with_a_reason():
    with pytest.raises(InvalidRequest, match="3 completions for 1 requests"):
        DesignReward(grader=object())(prompts=["x"], completions=["a", "b", "c"])
    with pytest.raises(InvalidRequest, match="cannot find the request"):
        request_of(42)


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning", "ignore::UserWarning")
def test_two_grpo_steps_run_with_the_reward(grader, tmp_path):
    """A tiny randomly initialised Llama (built from a config) and a byte-level BPE tokenizer trained here, offline."""
    pytest.importorskip("trl")
    from datasets import Dataset
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
    from trl import GRPOConfig, GRPOTrainer

    words = ["design a url shortener", "services components flows redis postgres", '{"services": [{"name": "A"}]}']
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer, bpe.decoder = pre_tokenizers.ByteLevel(add_prefix_space=False), decoders.ByteLevel()
    specials = ["<unk>", "<pad>", "<eos>"]
    bpe_trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=specials,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())  # fmt: skip
    bpe.train_from_iterator(words * 20, bpe_trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, unk_token="<unk>", pad_token="<pad>", eos_token="<eos>")
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.eos_token_id)  # fmt: skip
    reward = DesignReward(grader=grader)
    args = GRPOConfig(output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=2, num_generations=2,
                      max_completion_length=8, use_cpu=True, report_to=[], logging_steps=1, save_strategy="no",
                      seed=0)  # fmt: skip
    data = Dataset.from_dict({"prompt": [REQUEST, "Design a URL shortener"] * 2})
    trainer = GRPOTrainer(model=LlamaForCausalLM(config), reward_funcs=[reward], args=args, train_dataset=data,
                          processing_class=tokenizer)  # fmt: skip
    trainer.train()
    logged = [entry for entry in trainer.state.log_history if "rewards/sysdesign_grade/mean" in entry]
    assert trainer.state.global_step == 2 and len(logged) == 2
    assert len(reward.last) == 2 and all(g.problem for g in reward.last)  # 8 random tokens are not a design
